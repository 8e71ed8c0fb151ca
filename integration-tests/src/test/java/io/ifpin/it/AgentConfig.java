package io.ifpin.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Builds ifpin HOCON configs for the tests: {@code ifpin { rules = [ ... ] }}. */
public final class AgentConfig {

    private final List<String> rules = new ArrayList<>();

    public static AgentConfig create() {
        return new AgentConfig();
    }

    /** A rule matching destination CIDRs. */
    public AgentConfig cidrRule(String name, String networkInterface, String... cidrs) {
        rules.add("    { name = \"" + name + "\", cidrs = [" + quoted(cidrs) + "], interface = \"" + networkInterface + "\" }");
        return this;
    }

    /** A rule matching destination host names (as the application asked for them). */
    public AgentConfig hostRule(String name, String networkInterface, String... hostPatterns) {
        rules.add("    { name = \"" + name + "\", hosts = [" + quoted(hostPatterns) + "], interface = \"" + networkInterface + "\" }");
        return this;
    }

    /** An inbound rule: listeners on these ports (any local address) accept only via {@code networkInterface}. */
    public AgentConfig inboundRule(String name, String networkInterface, String ports) {
        rules.add("    { name = \"" + name + "\", direction = inbound, ports = [\"" + ports + "\"], interface = \""
                + networkInterface + "\" }");
        return this;
    }

    public String render() {
        return "# written by the ifpin integration tests\nifpin {\n  rules = [\n" + String.join(",\n", rules) + "\n  ]\n}\n";
    }

    public Path writeTo(Path file) {
        return TestFiles.write(file, render());
    }

    private static String quoted(String... values) {
        return List.of(values).stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(", "));
    }
}
