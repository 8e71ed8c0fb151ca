package io.ifpin.cli;

import io.ifpin.config.IfpinConfig;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.LinuxSocketsJna;
import io.ifpin.rules.Rule;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code check <config>}: validates the file (the loader's errors name file, line, key and fix) and reports, per rule,
 * whether its interface exists in this network namespace. A valid config exits 0 even when an interface is missing
 * (a VPN interface may come up later; the agent treats that as a warning too).
 */
final class CheckCommand {

    private CheckCommand() {
    }

    static int run(IfpinConfig config, boolean json, PrintStream out) {
        List<String> interfaces;
        try {
            interfaces = LinuxSocketsJna.load().interfaceNames();
        } catch (ErrnoException | RuntimeException | LinkageError e) {
            interfaces = null;
        }
        List<Map<String, Object>> rules = new ArrayList<>();
        int warnings = 0;
        for (Rule rule : config.rules().rules()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", rule.name());
            entry.put("origin", rule.origin());
            entry.put("interface", rule.interfaceName());
            Boolean exists = interfaces == null ? null : interfaces.contains(rule.interfaceName());
            entry.put("interfaceExists", exists);
            entry.put("describe", rule.describe());
            if (Boolean.FALSE.equals(exists)) {
                warnings++;
            }
            rules.add(entry);
        }
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("config", config.source());
            document.put("valid", true);
            document.put("interfaces", interfaces);
            document.put("rules", rules);
            document.put("warnings", warnings);
            out.println(Json.write(document));
            return Cli.OK;
        }
        out.println("ifpin check: " + config.source() + " is valid: " + rules.size() + " rule(s)");
        for (Map<String, Object> rule : rules) {
            Object exists = rule.get("interfaceExists");
            String state = exists == null ? "cannot list interfaces"
                    : (Boolean) exists ? "exists" : "MISSING in this network namespace (fine if it comes up later, e.g. a VPN)";
            out.println("  " + rule.get("describe") + " (" + rule.get("origin") + "): interface "
                    + rule.get("interface") + " " + state);
        }
        if (interfaces != null) {
            out.println("  interfaces here: " + String.join(", ", interfaces));
        }
        return Cli.OK;
    }
}
