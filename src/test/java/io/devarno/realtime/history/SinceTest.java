package io.devarno.realtime.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Parsing a client's {@code <epoch>:<offset>}: every malformed or hostile value is MALFORMED, never an exception. */
class SinceTest {

    @Test
    void aPositionIsAnEpochAndAnOffset() {
        assertEquals(new Since.At(new Position("6b1126756ba54", 42)), Since.parse("6b1126756ba54:42"));
        assertEquals(new Since.At(new Position("A-z_0", 0)), Since.parse("A-z_0:0"));
        assertEquals(
                new Since.At(new Position("e".repeat(64), 999_999_999_999_999_999L)),
                Since.parse("e".repeat(64) + ":" + "9".repeat(18)));
        assertSame(Since.ABSENT, Since.parse(null));
    }

    @Test
    void anythingElseIsMalformed() {
        for (String value : new String[] {
            "",
            ":",
            "e",
            "e:",
            ":1",
            "e:-1",
            "e:+1",
            "e;1",
            "e:1:2",
            "e:1.5",
            "e: 1",
            " e:1",
            "e:1 ",
            "é:1",
            "e.x:1",
            "e:" + "9".repeat(19),
            "e:99999999999999999999999999",
            "e".repeat(65) + ":1",
            "x".repeat(10 * 1024),
            "e:" + "1".repeat(10 * 1024),
            "e:0x10",
            "e:１"
        }) {
            assertSame(Since.MALFORMED, Since.parse(value), value.length() > 40 ? value.substring(0, 40) : value);
        }
    }
}
