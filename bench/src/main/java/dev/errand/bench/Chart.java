package dev.errand.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An SVG line chart of warm batch wall time against batch size, log-log, one line per series. */
final class Chart {

    /** One line: its name, colour, dash pattern and points (batch size, wall ms). */
    record Series(String name, String colour, String dash, List<double[]> points) {
        Series {
            points = List.copyOf(points);
        }
    }

    private static final int W = 720;
    private static final int H = 440;
    private static final int LEFT = 80;
    private static final int RIGHT = 200;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private Chart() {}

    static String svg(String title, List<Series> series) {
        double minX = 10, maxX = 1000;
        double minY = Math.pow(10, Math.floor(Math.log10(series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[1]).min().orElse(10))));
        double maxY = Math.pow(10, Math.ceil(Math.log10(series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[1]).max().orElse(1000))));
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n", LEFT, escape(title)));
        for (double y = minY; y <= maxY * 1.0001; y *= 10) {
            double py = py(y, minY, maxY);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, W - RIGHT, py, py));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6, py + 4, label(y)));
        }
        for (double x : new double[] {10, 100, 1000}) {
            double px = px(x, minX, maxX);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>%n", px, px, TOP, H - BOTTOM));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>%n", px, H - BOTTOM + 18, x));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">records in the batch (log scale)</text>%n", (LEFT + W - RIGHT) / 2, H - 15));
        svg.append(String.format(Locale.ROOT, "<text transform=\"translate(20 %d) rotate(-90)\" text-anchor=\"middle\">batch wall time (log scale)</text>%n", (TOP + H - BOTTOM) / 2));
        int legendY = TOP + 10;
        for (Series s : series) {
            StringBuilder path = new StringBuilder();
            for (double[] p : s.points()) {
                path.append(path.isEmpty() ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", px(p[0], minX, maxX), py(p[1], minY, maxY)));
            }
            svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" stroke-dasharray=\"%s\"/>%n", path, s.colour(), s.dash()));
            for (double[] p : s.points()) {
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>%n", px(p[0], minX, maxX), py(p[1], minY, maxY), s.colour()));
            }
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2.5\" stroke-dasharray=\"%s\"/>%n",
                    W - RIGHT + 15, W - RIGHT + 45, legendY, legendY, s.colour(), s.dash()));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", W - RIGHT + 50, legendY + 4, escape(s.name())));
            legendY += 20;
        }
        return svg.append("</svg>\n").toString();
    }

    private static double px(double x, double min, double max) {
        return LEFT + (Math.log10(x) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) * (W - LEFT - RIGHT);
    }

    private static double py(double y, double min, double max) {
        return H - BOTTOM - (Math.log10(y) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) * (H - TOP - BOTTOM);
    }

    private static String label(double ms) {
        return ms >= 1000 ? String.format(Locale.ROOT, "%.0f s", ms / 1000) : String.format(Locale.ROOT, "%.0f ms", ms);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;");
    }

    static Map<String, String> colours() {
        return Map.of("50", "#1f77b4", "200", "#d62728");
    }
}
