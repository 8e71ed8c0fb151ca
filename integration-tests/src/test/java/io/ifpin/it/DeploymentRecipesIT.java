package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.apps.MetricsScrapeApp;
import io.ifpin.it.apps.UdpTwoDestinationsApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recipes of docs/deployment.md, taken from the page itself and tried as far as this machine allows (it has no
 * systemd running, no Docker engine and no Kubernetes cluster):
 *
 * <ul>
 *   <li>systemd: the unit passes {@code systemd-analyze verify}, and what it asks for is done by hand: its
 *       {@code Environment=JAVA_TOOL_OPTIONS=...} value, its {@code User=} as an unprivileged user, and its
 *       {@code AmbientCapabilities=CAP_NET_RAW} / {@code CapabilityBoundingSet=CAP_NET_RAW} through {@code setpriv},
 *       which sets the same capability sets; a socket that must be re-bound then is, where without the capability
 *       it gets EPERM;</li>
 *   <li>the unit's {@code ExecStartPre=} check gate, run as the unit runs it (its {@code JAVA_TOOL_OPTIONS} loads the
 *       agent into the check's JVM too): exit status 0 for a valid config, 1 for an invalid one, 64 for a usage
 *       error;</li>
 *   <li>Docker and Kubernetes: the {@code JAVA_TOOL_OPTIONS} value they set is the documented flag, the Kubernetes
 *       YAML parses, and the ConfigMap's {@code ifpin.conf} passes {@code check};</li>
 *   <li>the Prometheus JMX exporter recipe: the real exporter agent beside ifpin, with the page's exporter config,
 *       serves one labelled series per rule and counter.</li>
 * </ul>
 */
class DeploymentRecipesIT {
    private static final Path DOC = ItEnv.repoRoot().resolve("docs/deployment.md");
    private static final String FLAG = "-javaagent:/opt/ifpin/ifpin-agent.jar=/etc/ifpin/ifpin.conf";
    private static final String APP_CLASS = UdpTwoDestinationsApp.class.getName();

    private static NetnsLab lab;
    private static Path work;

    @BeforeAll
    static void startLab() {
        lab = NetnsLab.start("dep");
        work = TestFiles.tempDir("ifpin-deploy");
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) {
            lab.close();
        }
        TestFiles.deleteRecursively(work);
    }

    /** The fenced blocks of {@code lang} (or any, when null) under the {@code ## heading} of the page. */
    static List<String> blocks(String heading, String lang) {
        String doc;
        try {
            doc = Files.readString(DOC);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int start = doc.indexOf("\n## " + heading + "\n");
        assertTrue(start >= 0, "no section '## " + heading + "' in " + DOC);
        int end = doc.indexOf("\n## ", start + 1);
        String section = doc.substring(start, end < 0 ? doc.length() : end);
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\n( *)```(\\w*)\n(.*?)\n\\1```", Pattern.DOTALL).matcher(section);
        while (m.find()) {
            if (lang == null || lang.equals(m.group(2))) {
                String indent = m.group(1);
                out.add(m.group(3).lines().map(l -> l.startsWith(indent) ? l.substring(indent.length()) : l)
                        .collect(Collectors.joining("\n")) + "\n");
            }
        }
        assertFalse(out.isEmpty(), "no ```" + lang + " block under '## " + heading + "'");
        return out;
    }

    private static String unit() {
        return blocks("systemd", "ini").get(0);
    }

    /** The value of {@code key=} in the unit, e.g. {@code User}. */
    private static String unitValue(String key) {
        return unit().lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                .findFirst().orElseThrow(() -> new AssertionError("no " + key + "= in the unit:\n" + unit()));
    }

    private static Commands.Result exec(List<String> command) {
        return Commands.run(command, Duration.ofSeconds(60));
    }

    @Test
    void theSystemdUnitPassesSystemdAnalyzeVerify() throws IOException {
        if (!Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
            ItEnv.unavailable("systemd-analyze is not installed", "apt-get install systemd (scripts/install-deps.sh)");
        }
        Path unit = Files.writeString(work.resolve("legacy-app.service"), unit());
        Commands.Result result = exec(List.of("systemd-analyze", "verify", unit.toString()));
        assertEquals(0, result.exitCode(), result.output());
        assertFalse(result.output().contains("legacy-app.service:"), "no complaint about the unit: " + result.output());
    }

    @Test
    void theSystemdUnitsSettingsDoWhatTheDocSays() {
        assertEquals("JAVA_TOOL_OPTIONS=" + FLAG, unitValue("Environment"));
        assertEquals("CAP_NET_RAW", unitValue("AmbientCapabilities"));
        assertEquals("CAP_NET_RAW", unitValue("CapabilityBoundingSet"));

        // User= an unprivileged user, AmbientCapabilities=CAP_NET_RAW, CapabilityBoundingSet=CAP_NET_RAW: the sets
        // systemd gives the service, made by setpriv. The app's one UDP socket must be re-bound from b0 to a0.
        ChildResult granted = runAsServiceUser(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=-all,+net_raw", "--ambient-caps=-all,+net_raw", "--bounding-set=-all,+net_raw"));
        assertTrue(granted.stderr().stream().anyMatch(l -> l.startsWith("Picked up JAVA_TOOL_OPTIONS: -javaagent:")),
                "the agent came from JAVA_TOOL_OPTIONS" + granted.describe());
        assertTrue(granted.stdout().stream().anyMatch(l -> l.startsWith("send 1 203.0.113.10 PEER 198.51.100.2 ")),
                "first destination via b0" + granted.describe());
        assertTrue(granted.stdout().stream().anyMatch(l -> l.startsWith("send 2 203.0.113.20 PEER 192.0.2.2 ")),
                "re-bound to a0 for the second destination: CAP_NET_RAW works as an ambient capability"
                        + granted.describe());
        assertTrue(granted.agentLines().stream().noneMatch(l -> l.contains("EPERM")), granted.describe());

        // The same user without the capability: the re-bind is refused, so the test above can fail.
        ChildResult withoutCapability = runAsServiceUser(List.of("setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", "--inh-caps=-all"));
        assertTrue(withoutCapability.agentLines().stream().anyMatch(l -> l.contains("EPERM")),
                withoutCapability.describe());
    }

    private ChildResult runAsServiceUser(List<String> setpriv) {
        AgentConfig rules = AgentConfig.create()
                .cidrRule("to-b", "b0", "203.0.113.10/32")
                .cidrRule("to-a", "a0", "203.0.113.20/32");
        try (NobodyDir dir = new NobodyDir(APP_CLASS, rules)) {
            String javaToolOptions = unitValue("Environment").substring("JAVA_TOOL_OPTIONS=".length())
                    .replace("/opt/ifpin/ifpin-agent.jar", dir.agentJar().toString())
                    .replace("/etc/ifpin/ifpin.conf", dir.config().toString());
            return dir.tmpOptions(ChildJvm.on(TestJdk.JDK_17))
                    .privileges(setpriv)
                    .env("JAVA_TOOL_OPTIONS", javaToolOptions)
                    .classpath(dir.classes())
                    .main(APP_CLASS, "203.0.113.10", "203.0.113.20", "1")
                    .runIn(lab);
        }
    }

    @Test
    void dockerSetsTheDocumentedFlag() {
        String run = blocks("Docker", null).stream().filter(b -> b.startsWith("docker run")).findFirst()
                .orElseThrow(() -> new AssertionError("no docker run block"));
        assertTrue(run.contains("-e JAVA_TOOL_OPTIONS=\"" + FLAG + "\""), run);
    }

    @Test
    void theKubernetesYamlParsesSetsTheFlagAndItsConfigMapIsAValidConfig() throws IOException {
        List<String> yaml = blocks("Kubernetes", "yaml");
        Path dir = work.resolve("k8s");
        Files.createDirectories(dir);
        for (int i = 0; i < yaml.size(); i++) {
            Files.writeString(dir.resolve(i + ".yaml"), yaml.get(i));
        }
        // PyYAML reads every block; the first is the ConfigMap + Deployment: print what the pod would get.
        String script = String.join("\n",
                "import sys, yaml, glob",
                "for f in sorted(glob.glob(sys.argv[1] + '/*.yaml')):",
                "    docs = [d for d in yaml.safe_load_all(open(f)) if d is not None]",
                "    assert docs, f + ' is empty'",
                "cm, dep = list(yaml.safe_load_all(open(sys.argv[1] + '/0.yaml')))",
                "c = dep['spec']['template']['spec']['containers'][0]",
                "print('env=' + [e['value'] for e in c['env'] if e['name'] == 'JAVA_TOOL_OPTIONS'][0])",
                "print('mount=' + c['volumeMounts'][0]['mountPath'])",
                "print('configmap=' + dep['spec']['template']['spec']['volumes'][0]['configMap']['name'] + ' '"
                        + " + cm['metadata']['name'])",
                "open(sys.argv[1] + '/ifpin.conf', 'w').write(cm['data']['ifpin.conf'])");
        Path py = Files.writeString(dir.resolve("read.py"), script + "\n");
        Commands.Result parsed = exec(List.of("python3", py.toString(), dir.toString()));
        assertEquals(0, parsed.exitCode(), parsed.output());
        Map<String, String> values = parsed.output().lines().filter(l -> l.contains("="))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
        assertEquals(FLAG, values.get("env"), parsed.output());
        assertEquals("/etc/ifpin", values.get("mount"), parsed.output());
        assertEquals("ifpin-rules ifpin-rules", values.get("configmap"), "the volume is the ConfigMap");

        Commands.Result check = exec(List.of(TestJdk.JDK_17.java().toString(), "-jar", ItEnv.agentJar().toString(),
                "check", dir.resolve("ifpin.conf").toString()));
        assertEquals(0, check.exitCode(), "the ConfigMap's ifpin.conf is valid:\n" + check.output());
    }

    /**
     * The unit's ExecStartPre= as systemd runs it: with the unit's JAVA_TOOL_OPTIONS, which loads the agent into the
     * check's JVM too, with the same config path. The agent must stay out of its own command line, so an invalid
     * config makes check exit 1 (not the agent 2), and the JVM's own line is the only other output.
     */
    @TestFactory
    Stream<DynamicTest> theUnitsCheckGateExitsAsDocumented() {
        return Stream.of(TestJdk.values()).map(jdk -> DynamicTest.dynamicTest(jdk.label(), () -> {
            Path config = work.resolve(jdk.name() + "-gate.conf");
            TestFiles.copyReplacing(ItEnv.repoRoot().resolve("config-samples/vpn-split.conf"), config);
            String toolOptions = localized(unitValue("Environment").substring("JAVA_TOOL_OPTIONS=".length()), config);
            List<String> gate = new ArrayList<>(List.of(localized(unitValue("ExecStartPre"), config).split(" ")));
            assertEquals("/usr/bin/java", gate.get(0), "the gate runs java: " + gate);
            gate.set(0, jdk.java().toString());
            Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS", toolOptions);

            Commands.Result valid = Commands.run(gate, env, Duration.ofSeconds(60));
            assertEquals(0, valid.exitCode(), valid.output());
            assertTrue(valid.output().contains("Picked up JAVA_TOOL_OPTIONS: " + toolOptions), valid.output());
            assertTrue(valid.output().contains("ifpin check: " + config + " is valid"), valid.output());
            assertFalse(valid.output().contains("[ifpin]"), "the agent stays out of check: " + valid.output());

            Files.writeString(config, "ifpin { rules = [ { name = x, cidrs = [\"192.0.2.1/24\"], interface = tun0 } ] }\n");
            Commands.Result invalid = Commands.run(gate, env, Duration.ofSeconds(60));
            assertEquals(1, invalid.exitCode(), invalid.output());
            assertTrue(invalid.output().contains("invalid ifpin config " + config + ": 1 problem"), invalid.output());
            assertTrue(invalid.output().contains("host bits are set"), invalid.output());
            assertFalse(invalid.output().contains("[ifpin]"), "the agent did not stop the JVM: " + invalid.output());

            Commands.Result usage = Commands.run(gate.subList(0, gate.size() - 1), env, Duration.ofSeconds(60));
            assertEquals(64, usage.exitCode(), usage.output());
        }));
    }

    /** The unit's paths pointed at this build and {@code config}. */
    private static String localized(String unitText, Path config) {
        return unitText.replace("/opt/ifpin/ifpin-agent.jar", ItEnv.agentJar().toString())
                .replace("/etc/ifpin/ifpin.conf", config.toString());
    }

    /**
     * The Prometheus JMX exporter recipe with the real exporter agent: the page's JAVA_TOOL_OPTIONS (ifpin and the
     * exporter as two agents) and its exporter config, in the lab's client namespace; the application pins three
     * connections to lo and has one denied, then scrapes the exporter's /metrics over loopback.
     */
    @TestFactory
    Stream<DynamicTest> thePrometheusExporterRecipeServesOneSeriesPerRuleAndCounter() {
        String section = "Logs, audit log and metrics";
        String exporterConfig = blocks(section, "yaml").get(0);
        String line = blocks(section, "").stream().filter(b -> b.startsWith("JAVA_TOOL_OPTIONS=")).findFirst()
                .orElseThrow(() -> new AssertionError("no JAVA_TOOL_OPTIONS= block under '## " + section + "'"));
        return Stream.of(TestJdk.values()).map(jdk -> DynamicTest.dynamicTest(jdk.label(), () -> {
            Path yaml = TestFiles.write(work.resolve(jdk.name() + "-jmx-exporter.yaml"), exporterConfig);
            Path config = TestFiles.write(work.resolve(jdk.name() + "-metrics.conf"), String.join("\n",
                    "ifpin.rules = [",
                    "  { name = loop, cidrs = [\"127.0.0.2/32\"], interface = lo }",
                    "  { name = no-three, cidrs = [\"127.0.0.3/32\"], action = deny }",
                    "]", ""));
            String toolOptions = line.strip().substring("JAVA_TOOL_OPTIONS=".length()).replaceAll("^\"|\"$", "")
                    .replace("/opt/ifpin/ifpin-agent.jar", ItEnv.agentJar().toString())
                    .replace("/etc/ifpin/ifpin.conf", config.toString())
                    .replace("/opt/jmx_prometheus_javaagent.jar", ItEnv.jmxExporterJar().toString())
                    .replace("/etc/ifpin/jmx-exporter.yaml", yaml.toString());
            assertFalse(toolOptions.contains("/opt/") || toolOptions.contains("/etc/"), toolOptions);
            ChildResult result = ChildJvm.on(jdk)
                    .env("JAVA_TOOL_OPTIONS", toolOptions)
                    .classpath(ItEnv.testClasses())
                    .main(MetricsScrapeApp.class.getName(), "9404")
                    .runIn(lab);
            assertEquals(0, result.exitCode(), result.describe());
            List<String> out = result.stdout();
            assertTrue(out.contains("mbean registered true"), result.describe());
            assertTrue(out.stream().anyMatch(l -> l.startsWith("denied ifpin refused TCP to 127.0.0.3:9")),
                    result.describe());
            for (String series : List.of("ifpin_rule_matched_total{rule=\"loop\",} 3.0",
                    "ifpin_rule_pinned_total{rule=\"loop\",} 3.0", "ifpin_rule_denied_total{rule=\"no-three\",} 1.0",
                    "ifpin_rule_errors_total{rule=\"loop\",} 0.0", "ifpin_rule_refused_total{rule=\"no-three\",} 0.0",
                    "ifpin_Reloads_total 0.0",
                    "ifpin_ReloadFailures_total 0.0", "ifpin_AuditDropped_total 0.0")) {
                assertTrue(out.stream().anyMatch(l -> l.replace(",}", "}").equals(series.replace(",}", "}"))),
                        series + " is served" + result.describe());
            }
        }));
    }
}
