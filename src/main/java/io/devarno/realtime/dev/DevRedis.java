package io.devarno.realtime.dev;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;

import redis.embedded.RedisServer;

/**
 * Dev mode only: starts a real redis-server (from the embedded-redis artifact, a 'provided' dependency
 * that is never packaged) when nothing listens on the configured Redis port. It keeps running across
 * live reloads and stops with the JVM.
 */
@ApplicationScoped
@IfBuildProfile("dev")
public class DevRedis {

    private static final Logger LOG = Logger.getLogger(DevRedis.class);

    void onStart(@Observes @Priority(2) StartupEvent event, @ConfigProperty(name = "quarkus.redis.hosts") String hosts)
            throws IOException {
        URI uri = URI.create(hosts.split(",")[0].trim());
        String host = uri.getHost() == null ? "localhost" : uri.getHost();
        int port = uri.getPort() < 0 ? 6379 : uri.getPort();
        if (listening(host, port)) {
            LOG.infof("Dev mode: using the Redis already listening on %s:%d", host, port);
            return;
        }
        RedisServer server = RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .build();
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (IOException e) {
                // the JVM is going away
            }
        }));
        LOG.infof("Dev mode: started an embedded redis-server on 127.0.0.1:%d", port);
    }

    private static boolean listening(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
