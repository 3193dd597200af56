package io.devarno.realtime.cluster;

/** Fired (asynchronously) each time the pub/sub connection is up and every channel is subscribed again. */
public record BrokerReconnected() {}
