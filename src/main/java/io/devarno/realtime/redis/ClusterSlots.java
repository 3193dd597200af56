package io.devarno.realtime.redis;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.vertx.mutiny.redis.client.Response;

/** Which master serves each hash slot of a Redis Cluster ({@code host:port}), as {@code CLUSTER SLOTS} answered it. */
public final class ClusterSlots {

    private final String[] masterBySlot;
    private final List<String> masters;

    ClusterSlots(String[] masterBySlot) {
        this.masterBySlot = masterBySlot;
        Set<String> distinct = new LinkedHashSet<>();
        for (String master : masterBySlot) {
            if (master != null) {
                distinct.add(master);
            }
        }
        this.masters = List.copyOf(distinct);
    }

    /**
     * Reads a {@code CLUSTER SLOTS} reply; a node announced without a host (a cluster configured to hide them)
     * is taken to be on {@code defaultHost}.
     */
    static ClusterSlots parse(Response reply, String defaultHost) {
        String[] bySlot = new String[HashSlot.SLOTS];
        for (Response range : reply) {
            int first = range.get(0).toInteger();
            int last = range.get(1).toInteger();
            Response master = range.get(2);
            String host = master.get(0) == null ? "" : master.get(0).toString();
            if (host.isEmpty() || host.equals("?")) {
                host = defaultHost;
            }
            Arrays.fill(bySlot, first, last + 1, host + ":" + master.get(1).toInteger());
        }
        return new ClusterSlots(bySlot);
    }

    /** The master serving the slot, or null while no node serves it. */
    public String masterOf(int slot) {
        return masterBySlot[slot];
    }

    public String masterOf(String key) {
        return masterOf(HashSlot.of(key));
    }

    public List<String> masters() {
        return masters;
    }
}
