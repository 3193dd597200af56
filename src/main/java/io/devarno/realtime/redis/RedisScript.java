package io.devarno.realtime.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/** A Lua script from {@code src/main/resources/lua}, run with EVALSHA (EVAL once after a Redis restart). */
public final class RedisScript {

    private final String source;
    private final String sha;

    private RedisScript(String source) {
        this.source = source;
        this.sha = sha1(source);
    }

    public static RedisScript load(String name) {
        try (InputStream in = RedisScript.class.getResourceAsStream("/lua/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing script /lua/" + name);
            }
            return new RedisScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the script; fails after {@code timeout} (the command may still run in Redis later). */
    public Uni<Response> run(ReactiveRedisDataSource redis, Duration timeout, List<String> keys, String... args) {
        return run(redis, keys, args).ifNoItem().after(timeout).fail();
    }

    /** Runs the script and emits Redis's own answer, however long it takes (or the connection's failure). */
    public Uni<Response> run(ReactiveRedisDataSource redis, List<String> keys, String... args) {
        return redis.execute(Command.EVALSHA, arguments(sha, keys, args))
                .onFailure(RedisScript::isNoScript)
                .recoverWithUni(() -> redis.execute(Command.EVAL, arguments(source, keys, args)));
    }

    /**
     * Runs the script pipelined with the other requests of this event-loop turn (see {@link RedisBatcher}); only
     * for scripts that may run twice. Emits Redis's own answer, however long it takes.
     */
    public Uni<Response> run(RedisBatcher batcher, ReactiveRedisDataSource redis, List<String> keys, String... args) {
        Request request = Request.cmd(Command.EVALSHA).arg(sha).arg(keys.size());
        keys.forEach(request::arg);
        for (String argument : args) {
            request.arg(argument);
        }
        return batcher.send(keys.isEmpty() ? "" : keys.get(0), request, () -> run(redis, keys, args));
    }

    private static boolean isNoScript(Throwable failure) {
        return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
    }

    private static String[] arguments(String script, List<String> keys, String... args) {
        List<String> all = new ArrayList<>(2 + keys.size() + args.length);
        all.add(script);
        all.add(Integer.toString(keys.size()));
        all.addAll(keys);
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
