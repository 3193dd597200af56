package io.devarno.realtime.ws;

import java.util.Iterator;
import java.util.function.Predicate;

/**
 * One pass over many items, cut into slices so that no event-loop task does it all: a slice stops after
 * {@code maxActions} items the step acted on (a ping written, a connection closed) or {@code maxScanned} items looked
 * at, whichever comes first. The owner runs the next slice in a later task.
 */
final class Sweep<T> {

    private final Iterator<T> items;
    private final int maxActions;
    private final int maxScanned;

    Sweep(Iterator<T> items, int maxActions, int maxScanned) {
        this.items = items;
        this.maxActions = maxActions;
        this.maxScanned = maxScanned;
    }

    /** Runs {@code step} (true: it acted) over the next slice; true while items remain. */
    boolean slice(Predicate<T> step) {
        int actions = 0;
        int scanned = 0;
        while (actions < maxActions && scanned < maxScanned && items.hasNext()) {
            scanned++;
            if (step.test(items.next())) {
                actions++;
            }
        }
        return items.hasNext();
    }
}
