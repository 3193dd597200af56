/**
 * Every use of framework internals, behind small interfaces of ours: the Netty channel under a websockets-next
 * connection ({@link io.devarno.realtime.transport.WebSocketTransports}, VarHandles into private fields), frames
 * encoded once into pooled Netty buffers ({@link io.devarno.realtime.transport.WireFrame}), the channel under the
 * Vert.x Redis pub/sub connection ({@link io.devarno.realtime.transport.RedisChannels}, reflection). The rest of
 * the service sees {@link io.devarno.realtime.transport.ClientTransport} and
 * {@link io.devarno.realtime.transport.ReadSwitch} only; {@code TransportFenceTest} keeps Netty, Vert.x
 * implementation classes and reflection in here. docs/internals.md lists each internal, what it saves, its guard
 * test and what happens when an upgrade removes it (it also covers {@code quarkus.arc.exclude-types}).
 */
package io.devarno.realtime.transport;
