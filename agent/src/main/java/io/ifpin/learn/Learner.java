package io.ifpin.learn;

import io.ifpin.config.IfpinConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code learn}: audit logs in, an allow-list config out (docs/deployment.md, "Rolling out an egress policy").
 * {@link AuditScan} reads the decisions, {@link AllowListWriter} writes the rules.
 */
public final class Learner {
    private final AuditScan scan;
    private final List<String> inputs = new ArrayList<>();

    /** @param progress where progress lines go for large logs (stderr) */
    public Learner(PrintStream progress) {
        this.scan = new AuditScan(progress);
    }

    /** Reads one audit log (a current or a rotated file); malformed lines are counted, never fatal. */
    public void read(Path file) throws IOException {
        inputs.add(file.toString());
        scan.read(file);
    }

    public long decisions() {
        return scan.decisions;
    }

    /**
     * The learned config and its summary.
     *
     * @param existing the config whose pin rules are kept whole ({@code --config}), or null
     */
    public Learned write(IfpinConfig existing) {
        AllowListWriter.Result result = AllowListWriter.write(scan, existing, inputs);
        return new Learned(result.text(), summary(result));
    }

    /** The config text, and the numbers the summary line and {@code --json} report (in a stable order). */
    public record Learned(String config, Map<String, Object> summary) {
        /** One line for stderr. */
        public String summaryLine() {
            StringBuilder line = new StringBuilder("ifpin learn: " + summary.get("decisions") + " decision(s) read from "
                    + summary.get("lines") + " line(s) in " + summary.get("files") + " file(s); "
                    + summary.get("destinations") + " destination(s); " + summary.get("rules") + " rule(s) written ("
                    + summary.get("allowRules") + " allow, " + summary.get("keptRules") + " kept from --config, "
                    + summary.get("pinRules") + " pin); " + summary.get("malformed") + " malformed line(s) skipped");
            if ((long) summary.get("notLearned") > 0) {
                line.append("; ").append(summary.get("notLearned")).append(" denied or refused decision(s) not"
                        + " learned");
            }
            if ((long) summary.get("listeners") > 0) {
                line.append("; ").append(summary.get("listeners")).append(" listener line(s) (inbound rules are kept"
                        + " only with --config)");
            }
            if ((long) summary.get("droppedRecords") > 0) {
                line.append("; WARNING: ").append(summary.get("droppedDecisions")).append(" decision(s) were dropped"
                        + " by the audit log (").append(summary.get("droppedRecords")).append(" \"dropped\""
                        + " record(s)), so destinations seen only then are missing");
            }
            @SuppressWarnings("unchecked")
            List<String> examples = (List<String>) summary.get("malformedExamples");
            for (String example : examples) {
                line.append("\n  malformed: ").append(example);
            }
            return line.toString();
        }
    }

    private Map<String, Object> summary(AllowListWriter.Result result) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("files", inputs.size());
        summary.put("lines", scan.lines);
        summary.put("decisions", scan.decisions);
        summary.put("destinations", result.destinations());
        summary.put("rules", result.rules());
        summary.put("allowRules", result.allowRules());
        summary.put("keptRules", result.keptRules());
        summary.put("pinRules", result.pinRules());
        summary.put("malformed", scan.malformed);
        summary.put("malformedExamples", List.copyOf(scan.malformedExamples));
        summary.put("notLearned", scan.notLearned);
        summary.put("listeners", scan.listeners);
        summary.put("lookups", scan.lookups);
        summary.put("droppedRecords", scan.droppedRecords);
        summary.put("droppedDecisions", scan.droppedDecisions);
        return summary;
    }
}
