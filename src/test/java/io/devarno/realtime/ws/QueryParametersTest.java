package io.devarno.realtime.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The upgrade's query parameters (since, broadcast_since): decoded when they can be, never a failure. */
class QueryParametersTest {

    @Test
    void findsTheFirstValueOfTheNamedParameterDecoded() {
        assertEquals("e1:5", QueryParameters.first("since=e1%3A5&broadcast_since=b:2", "since"));
        assertEquals("b:2", QueryParameters.first("since=e1%3A5&broadcast_since=b:2", "broadcast_since"));
        assertEquals("first", QueryParameters.first("since=first&since=second", "since"));
        assertEquals("", QueryParameters.first("since=&x=1", "since"));
        assertEquals("", QueryParameters.first("x=1&since", "since"));
    }

    @Test
    void absentParametersAndLookAlikesAreNull() {
        assertNull(QueryParameters.first(null, "since"));
        assertNull(QueryParameters.first("", "since"));
        assertNull(QueryParameters.first("broadcast_since=b:2", "since"));
        assertNull(QueryParameters.first("sinceX=1&xsince=2", "since"));
    }

    @Test
    void undecodableOrHugeValuesAreReturnedAsTheyCame() {
        assertEquals("%ZZ%", QueryParameters.first("since=%ZZ%", "since"));
        String huge = "%41".repeat(1000);
        assertEquals(huge, QueryParameters.first("since=" + huge, "since"));
    }
}
