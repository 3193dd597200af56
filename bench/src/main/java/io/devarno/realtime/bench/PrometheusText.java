package io.devarno.realtime.bench;

/** Reads samples out of a /q/metrics (Prometheus text format) body. */
final class PrometheusText {

    private PrometheusText() {}

    /** The sum of every sample of {@code metric} over all its label sets; NaN when it has none. */
    static double sum(String body, String metric) {
        double total = 0;
        boolean found = false;
        for (String line : body.split("\n")) {
            if (line.startsWith(metric)
                    && line.length() > metric.length()
                    && (line.charAt(metric.length()) == ' ' || line.charAt(metric.length()) == '{')) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? total : Double.NaN;
    }
}
