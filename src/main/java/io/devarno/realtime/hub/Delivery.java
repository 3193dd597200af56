package io.devarno.realtime.hub;

import java.util.function.Supplier;

import io.devarno.realtime.transport.WireFrame;

/**
 * One message on its way from Redis to the connections of a stream (a user's, or the broadcast one): recorded, with its
 * position, or a plain unrecorded {@code PUBLISH}. v1 connections get the published bytes as they are, v2 connections
 * the envelope (docs/protocol.md#protocol-v2-history-and-recovery); each form is encoded once, when the first
 * connection that needs it is reached. Used on the fanning-out thread only; whoever creates it releases it after the
 * fan-out.
 */
public final class Delivery {

    private final StreamKind stream;
    private final String epoch;
    private final long offset;
    private final Supplier<WireFrame> verbatimEncoder;
    private final Supplier<String> text;
    private WireFrame verbatim;
    private String envelopeText;
    private WireFrame envelope;

    /**
     * {@code epoch} null: not recorded. {@code verbatim} encodes the published bytes; {@code text} gives them
     * as text for the envelope.
     */
    public Delivery(StreamKind stream, String epoch, long offset, Supplier<WireFrame> verbatim, Supplier<String> text) {
        this.stream = stream;
        this.epoch = epoch;
        this.offset = offset;
        this.verbatimEncoder = verbatim;
        this.text = text;
    }

    public StreamKind stream() {
        return stream;
    }

    /** The stream's epoch, or null for an unrecorded message. */
    public String epoch() {
        return epoch;
    }

    public long offset() {
        return offset;
    }

    /** The published bytes, as v1 connections receive them. */
    WireFrame verbatim() {
        if (verbatim == null) {
            verbatim = verbatimEncoder.get();
        }
        return verbatim;
    }

    /** The v2 envelope. */
    WireFrame envelope() {
        if (envelope == null) {
            envelope = WireFrame.text(envelopeText());
        }
        return envelope;
    }

    String envelopeText() {
        if (envelopeText == null) {
            envelopeText = Envelopes.message(stream, epoch, offset, text.get());
        }
        return envelopeText;
    }

    public void release() {
        if (verbatim != null) {
            verbatim.release();
        }
        if (envelope != null) {
            envelope.release();
        }
    }
}
