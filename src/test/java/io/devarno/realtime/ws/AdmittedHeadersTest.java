package io.devarno.realtime.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** What an admitted upgrade keeps of the browser's subprotocol offer (websockets-next keeps it per connection). */
class AdmittedHeadersTest {

    @Test
    void theTokenCarrierIsDroppedAndTheNegotiatedSubprotocolKept() {
        assertEquals(
                Optional.of("bearer-token-carrier"),
                UpgradeGate.withoutCarriedHeaders(
                        "bearer-token-carrier, quarkus-http-upgrade%23Authorization%23Bearer%20eyJhbGciOi.eyJzdWIi.c2ln"));
    }

    @Test
    void anOfferOfOnlyCarriersLeavesNoHeader() {
        assertEquals(
                Optional.empty(), UpgradeGate.withoutCarriedHeaders("quarkus-http-upgrade#Authorization#Bearer x"));
    }

    @Test
    void otherOffersAreKeptAsSent() {
        assertEquals(Optional.of("a, b"), UpgradeGate.withoutCarriedHeaders("a,b"));
        assertEquals(Optional.empty(), UpgradeGate.withoutCarriedHeaders(null));
    }
}
