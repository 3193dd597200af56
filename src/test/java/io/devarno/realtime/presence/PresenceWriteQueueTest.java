package io.devarno.realtime.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.junit.jupiter.api.Test;

class PresenceWriteQueueTest {

    private final PresenceWriteQueue queue = new PresenceWriteQueue(2);

    @Test
    void startsNoMoreThanTheLimitAtOnceAndTheRestInArrivalOrder() {
        List<String> started = new ArrayList<>();
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = "w" + i;
            CompletableFuture<String> answer = new CompletableFuture<>();
            answers.add(answer);
            queue.submit(() -> {
                started.add(name);
                return answer;
            });
        }
        assertEquals(List.of("w0", "w1"), started);
        assertEquals(3, queue.waiting());

        answers.get(1).complete("done");
        assertEquals(List.of("w0", "w1", "w2"), started);
        answers.get(0).complete("done");
        answers.get(2).complete("done");
        assertEquals(List.of("w0", "w1", "w2", "w3", "w4"), started);
    }

    @Test
    void completesWithTheWritesAnswerOrFailure() {
        CompletionStage<String> ok = queue.submit(() -> CompletableFuture.completedFuture("OK"));
        CompletionStage<String> failed =
                queue.submit(() -> CompletableFuture.failedFuture(new IllegalStateException("down")));

        assertEquals("OK", ok.toCompletableFuture().join());
        assertTrue(failed.toCompletableFuture().isCompletedExceptionally());
    }

    @Test
    void aFailedWriteFreesItsSlot() {
        queue.submit(() -> CompletableFuture.failedFuture(new IllegalStateException("down")));
        queue.submit(() -> CompletableFuture.failedFuture(new IllegalStateException("down")));

        CompletionStage<String> next = queue.submit(() -> CompletableFuture.completedFuture("OK"));
        assertEquals("OK", next.toCompletableFuture().join());
    }

    @Test
    void aWriteThatThrowsInsteadOfFailingFreesItsSlotAndTheQueueGoesOn() {
        CompletionStage<String> thrown = queue.submit(() -> {
            throw new IllegalStateException("broken");
        });
        queue.submit(() -> CompletableFuture.failedFuture(new IllegalStateException("down")));

        assertTrue(thrown.toCompletableFuture().isCompletedExceptionally());
        CompletionStage<String> next = queue.submit(() -> CompletableFuture.completedFuture("OK"));
        assertEquals("OK", next.toCompletableFuture().join());
    }

    @Test
    void aLongBacklogOfWritesThatCompleteAtOnceDoesNotGrowTheStack() {
        CompletableFuture<String> blocker1 = new CompletableFuture<>();
        CompletableFuture<String> blocker2 = new CompletableFuture<>();
        queue.submit(() -> blocker1);
        queue.submit(() -> blocker2);
        List<CompletionStage<String>> backlog = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            backlog.add(queue.submit(() -> CompletableFuture.completedFuture("OK")));
        }

        blocker1.complete("done");

        assertEquals(0, queue.waiting());
        assertTrue(backlog.stream().allMatch(w -> w.toCompletableFuture().isDone()));
    }
}
