package io.ifpin.bench.harness;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A minimal SVG line chart (no plotting library on the build machine): axes, ticks, one polyline per series. */
final class Svg {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
    private static final int WIDTH = 720;
    private static final int HEIGHT = 420;
    private static final int LEFT = 90;
    private static final int RIGHT = 200;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private Svg() {
    }

    /** Points are {x, y}; with {@code logX}, x must be positive. The y axis starts at 0. */
    static String lineChart(String title, String xLabel, String yLabel, boolean logX,
                            Map<String, List<double[]>> series) {
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = 0;
        for (List<double[]> points : series.values()) {
            for (double[] point : points) {
                minX = Math.min(minX, point[0]);
                maxX = Math.max(maxX, point[0]);
                maxY = Math.max(maxY, point[1]);
            }
        }
        if (series.isEmpty() || maxY == 0) {
            minX = 1;
            maxX = 10;
            maxY = 1;
        }
        if (minX == maxX) {
            maxX = minX * 10;
        }
        double yTop = niceCeiling(maxY);
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        double x0 = logX ? Math.log10(minX) : minX;
        double x1 = logX ? Math.log10(maxX) : maxX;

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        out.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">%s</text>%n", LEFT,
                escape(title)));
        out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                LEFT, TOP + plotHeight, LEFT + plotWidth, TOP + plotHeight));
        out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                LEFT, TOP, LEFT, TOP + plotHeight));
        for (int i = 0; i <= 4; i++) {
            double value = yTop * i / 4;
            double y = TOP + plotHeight - plotHeight * i / 4.0;
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\""
                    + " stroke=\"#ddd\"/>%n", LEFT, y, LEFT + plotWidth, y));
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6, y + 4, HarnessReport.number(value)));
        }
        // x ticks at the data's x values (the thread counts or rule counts measured)
        java.util.TreeSet<Double> xs = new java.util.TreeSet<>();
        series.values().forEach(points -> points.forEach(point -> xs.add(point[0])));
        for (double x : xs) {
            double px = LEFT + plotWidth * ((logX ? Math.log10(x) : x) - x0) / (x1 - x0);
            out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    px, TOP + plotHeight + 18, HarnessReport.number(x)));
        }
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + plotWidth / 2, HEIGHT - 18, escape(xLabel)));
        out.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" text-anchor=\"middle\""
                + " transform=\"rotate(-90 18 %d)\">%s</text>%n", TOP + plotHeight / 2, TOP + plotHeight / 2,
                escape(yLabel)));
        int index = 0;
        for (Map.Entry<String, List<double[]>> entry : series.entrySet()) {
            String colour = COLOURS[index % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (double[] point : entry.getValue()) {
                double px = LEFT + plotWidth * ((logX ? Math.log10(point[0]) : point[0]) - x0) / (x1 - x0);
                double py = TOP + plotHeight - plotHeight * point[1] / yTop;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                out.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                        px, py, colour));
            }
            out.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\""
                    + " stroke-width=\"2\"/>%n", points.toString().trim(), colour));
            int legendY = TOP + 10 + 20 * index;
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
                    + " stroke-width=\"2\"/>%n", WIDTH - RIGHT + 15, legendY, WIDTH - RIGHT + 35, legendY, colour));
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", WIDTH - RIGHT + 40,
                    legendY + 4, escape(entry.getKey())));
            index++;
        }
        return out.append("</svg>\n").toString();
    }

    /** 1, 2 or 5 times a power of ten, at least {@code value}. */
    static double niceCeiling(double value) {
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
