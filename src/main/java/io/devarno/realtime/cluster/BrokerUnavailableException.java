package io.devarno.realtime.cluster;

/** The broker (Redis) cannot take a message now; nothing was published, the caller may retry. */
public class BrokerUnavailableException extends RuntimeException {

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
