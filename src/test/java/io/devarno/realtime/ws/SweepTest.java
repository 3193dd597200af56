package io.devarno.realtime.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** The heartbeat's pass is cut into slices bounded by what they write and by what they look at. */
class SweepTest {

    private static final List<Integer> CONNECTIONS =
            IntStream.range(0, 10_000).boxed().toList();

    @Test
    void aSliceActsOnAtMostMaxActionsItems() {
        Sweep<Integer> sweep = new Sweep<>(CONNECTIONS.iterator(), 64, 4096);
        List<Integer> slice = new ArrayList<>();
        assertTrue(sweep.slice(slice::add), "items remain");
        assertEquals(IntStream.range(0, 64).boxed().toList(), slice);
    }

    @Test
    void aSliceLooksAtAtMostMaxScannedItemsWhenFewAreDue() {
        Sweep<Integer> sweep = new Sweep<>(CONNECTIONS.iterator(), 64, 4096);
        List<Integer> scanned = new ArrayList<>();
        assertTrue(sweep.slice(item -> scanned.add(item) && item % 1000 == 0), "items remain");
        assertEquals(4096, scanned.size(), "5 acted on, fewer than 64: the scan bound ends the slice");
        assertEquals(4095, scanned.get(scanned.size() - 1));
    }

    @Test
    void slicesTogetherVisitEveryItemOnceAndEnd() {
        Sweep<Integer> sweep = new Sweep<>(CONNECTIONS.iterator(), 64, 4096);
        List<Integer> visited = new ArrayList<>();
        List<Integer> perSlice = new ArrayList<>();
        boolean more = true;
        while (more) {
            int before = visited.size();
            more = sweep.slice(visited::add);
            perSlice.add(visited.size() - before);
        }
        assertEquals(CONNECTIONS, visited);
        assertEquals(157, perSlice.size(), "10,000 due connections, 64 per slice");
        assertEquals(10_000 - 156 * 64, perSlice.get(156));
        assertFalse(sweep.slice(visited::add));
    }
}
