package io.devarno.realtime.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Slots as Redis 7.0's {@code CLUSTER KEYSLOT} computed them. */
class HashSlotTest {

    @Test
    void slotsMatchRedis() {
        assertEquals(5396, HashSlot.of("realtime:user:alice"));
        assertEquals(4039, HashSlot.of("realtime:user:carol"));
        assertEquals(13592, HashSlot.of("realtime:user:dave"));
        assertEquals(6455, HashSlot.of("presence:bob"));
    }

    @Test
    void aHashTagHashesLikeTheKeyItNames() {
        assertEquals(HashSlot.of("presence:bob"), HashSlot.of("realtime:presence:conns:{presence:bob}"));
        assertEquals(HashSlot.of("presence:bob"), HashSlot.of("{presence:bob}:x"));
        // An empty tag is no tag: the whole key is hashed.
        assertEquals(13694, HashSlot.of("a{}b"));
    }
}
