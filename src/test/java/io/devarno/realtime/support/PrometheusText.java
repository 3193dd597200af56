package io.devarno.realtime.support;

/** Reads samples out of a /q/metrics (Prometheus text format) body. */
public final class PrometheusText {

    private PrometheusText() {}

    /** The value of one series, such as {@code realtime_upgrades_rejected_total{reason="origin"}}; NaN when absent. */
    public static double value(String body, String series) {
        return body.lines()
                .filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1)))
                .findFirst()
                .orElse(Double.NaN);
    }

    /** The sum of every sample of {@code metric} over all its label sets; NaN when it has none. */
    public static double sum(String body, String metric) {
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
