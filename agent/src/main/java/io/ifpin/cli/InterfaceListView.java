package io.ifpin.cli;

import io.ifpin.diag.InterfaceReport;
import io.ifpin.diag.RpFilter;
import io.ifpin.os.NetlinkRoutes;
import io.ifpin.os.Routes;
import io.ifpin.rules.Rule;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code check}'s view of a rule with a list of interfaces: each interface's report, and which it would use now. */
final class InterfaceListView {

    private InterfaceListView() {
    }

    /** Adds {@code interfaces}, {@code wouldUse}, {@code choice} and {@code otherReports} to the rule's entry. */
    static void describe(Rule rule, Routes routes, Map<String, Object> entry) {
        InterfaceChoiceNow.Now now = InterfaceChoiceNow.of(rule, routes);
        entry.put("interfaces", rule.interfaces());
        entry.put("waitForInterfaceMillis", rule.waitForInterfaceMillis());
        entry.put("wouldUse", now.chosen());
        entry.put("choice", now.why());
        List<String> others = new ArrayList<>();
        if (routes != null) {
            for (String name : rule.interfaces().subList(1, rule.interfaces().size())) {
                for (InterfaceReport.Status status : new InterfaceReport(routes, RpFilter.PROC)
                        .build(List.of(rule.forInterface(name)))) {
                    others.add(status.toLine());
                }
            }
        }
        entry.put("otherReports", others);
    }

    /** The text lines for an entry {@link #describe} filled; nothing for other rules. */
    static void print(Map<String, Object> entry, PrintStream out) {
        if (!entry.containsKey("choice")) {
            return;
        }
        @SuppressWarnings("unchecked")
        List<String> others = (List<String>) entry.get("otherReports");
        for (String line : others) {
            out.println("    " + line);
        }
        out.println("    interfaces " + entry.get("interfaces") + ": " + entry.get("choice"));
    }

    /** rtnetlink for explain's choice, or null where it cannot be loaded. */
    static Routes routes() {
        try {
            return NetlinkRoutes.load();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
