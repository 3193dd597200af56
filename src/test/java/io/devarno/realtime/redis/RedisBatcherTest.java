package io.devarno.realtime.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

@QuarkusTest
@WithRedis
class RedisBatcherTest extends ServiceTestBase {

    private static final Supplier<Uni<Response>> NOT_ALONE =
            () -> Uni.createFrom().failure(new AssertionError("sent on its own although its batch succeeded"));

    @Inject
    RedisBatcher batcher;

    @Inject
    ReactiveRedisDataSource redis;

    @Inject
    Vertx vertx;

    @Test
    void requestsOfOneTurnAreAnsweredInOrderAcrossSeveralBatches() throws Exception {
        String counter = "batcher:" + uniqueUser("order");
        int count = 2 * RedisBatcher.MAX_BATCH + 44;

        List<Long> answers = inOneTurn(
                count, i -> batcher.send(counter, Request.cmd(Command.INCR).arg(counter), NOT_ALONE));

        List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= count; i++) {
            expected.add(i);
        }
        assertEquals(expected, answers);
    }

    @Test
    void aBatchWithAFailingRequestIsAnsweredRequestByRequest() throws Exception {
        String counter = "batcher:" + uniqueUser("failing");
        Request unknownScript = Request.cmd(Command.EVALSHA)
                .arg("0000000000000000000000000000000000000000")
                .arg("0");

        List<Long> answers = inOneTurn(
                3,
                i -> i == 1
                        ? batcher.send(counter, unknownScript, () -> redis.execute(Command.EVAL, "return 7", "0"))
                        : batcher.send(
                                counter,
                                Request.cmd(Command.INCR).arg(counter),
                                () -> redis.execute(Command.INCR, counter)));

        assertEquals(7L, answers.get(1), "the failing request answered by its own form");
        assertEquals("4", redis().string("GET", counter), "each request of the failed batch ran again on its own");
    }

    private List<Long> inOneTurn(int count, IntFunction<Uni<Response>> request) throws Exception {
        List<CompletableFuture<Response>> sent = new ArrayList<>();
        CompletableFuture<Void> submitted = new CompletableFuture<>();
        vertx.runOnContext(ignored -> {
            for (int i = 0; i < count; i++) {
                sent.add(request.apply(i).subscribeAsCompletionStage());
            }
            submitted.complete(null);
        });
        submitted.get(5, TimeUnit.SECONDS);
        List<Long> answers = new ArrayList<>();
        for (CompletableFuture<Response> answer : sent) {
            answers.add(answer.get(5, TimeUnit.SECONDS).toLong());
        }
        return answers;
    }
}
