package io.devarno.realtime.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free log-linear histogram of microsecond values (HdrHistogram is not on the classpath): exact below 128 us,
 * then 64 sub-buckets per power of two, so a reported percentile is at most ~1.6% above the true value.
 */
final class LatencyHistogram {

    private static final int LINEAR = 128;
    private static final int SUB = 64;
    private static final int MAX_EXPONENT = 40;

    private final AtomicLongArray counts = new AtomicLongArray(LINEAR + (MAX_EXPONENT - 6) * SUB);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong max = new AtomicLong();
    private final AtomicLong sum = new AtomicLong();

    void record(long micros) {
        long v = Math.max(0, micros);
        counts.incrementAndGet(index(v));
        total.incrementAndGet();
        sum.addAndGet(v);
        max.accumulateAndGet(v, Math::max);
    }

    private static int index(long v) {
        if (v < LINEAR) {
            return (int) v;
        }
        int exponent = Math.min(63 - Long.numberOfLeadingZeros(v), MAX_EXPONENT);
        int shift = exponent - 6;
        int sub = (int) Math.min((v >> shift) - SUB, SUB - 1);
        return LINEAR + (exponent - 7) * SUB + sub;
    }

    /** The largest value that falls into bucket {@code index}. */
    private static long upperBound(int index) {
        if (index < LINEAR) {
            return index;
        }
        int exponent = (index - LINEAR) / SUB + 7;
        int sub = (index - LINEAR) % SUB;
        int shift = exponent - 6;
        return ((long) (SUB + sub + 1) << shift) - 1;
    }

    long count() {
        return total.get();
    }

    long max() {
        return max.get();
    }

    double mean() {
        long n = total.get();
        return n == 0 ? 0 : (double) sum.get() / n;
    }

    /** The value at percentile {@code p} (0..100), capped by the exact maximum. */
    long percentile(double p) {
        long n = total.get();
        if (n == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * n));
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.min(upperBound(i), max.get());
            }
        }
        return max.get();
    }
}
