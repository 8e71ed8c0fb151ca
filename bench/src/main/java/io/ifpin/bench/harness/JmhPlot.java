package io.ifpin.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plot of JMH average times against the {@code rules} parameter, one line per benchmark method: how the cost of
 * matching grows with the rule count.
 *
 * <pre>
 *   java -cp benchmarks.jar io.ifpin.bench.harness.JmhPlot jmh-result.csv out.svg [title]
 * </pre>
 */
public final class JmhPlot {

    private JmhPlot() {
    }

    static String svg(List<String> csv, String title) {
        String[] header = split(csv.get(0));
        int rulesColumn = -1;
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals("Param: rules")) {
                rulesColumn = i;
            }
        }
        if (rulesColumn < 0) {
            throw new IllegalArgumentException("no 'rules' parameter in the JMH results");
        }
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (String line : csv.subList(1, csv.size())) {
            String[] fields = split(line);
            if (!fields[1].equals("avgt") || fields[rulesColumn].isEmpty()) {
                continue;
            }
            String name = fields[0].substring(fields[0].lastIndexOf('.') + 1);
            series.computeIfAbsent(name, n -> new ArrayList<>()).add(new double[] {
                    Double.parseDouble(fields[rulesColumn]), Double.parseDouble(fields[4])});
        }
        series.values().forEach(points -> points.sort((a, b) -> Double.compare(a[0], b[0])));
        return Svg.lineChart(title, "rules (log)", "ns per match (JMH avgt)", true, series);
    }

    /** JMH's CSV: every field quoted or a plain number, no commas inside fields. */
    private static String[] split(String line) {
        String[] fields = line.split(",", -1);
        for (int i = 0; i < fields.length; i++) {
            fields[i] = fields[i].replaceAll("^\"|\"$", "");
        }
        return fields;
    }

    public static void main(String[] args) throws IOException {
        String title = args.length > 2 ? args[2] : "RuleSet.match by rule count";
        Files.writeString(Path.of(args[1]), svg(Files.readAllLines(Path.of(args[0])), title));
    }
}
