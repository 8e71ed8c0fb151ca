package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.apps.UdpTwoDestinationsApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

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
 *   <li>Docker and Kubernetes: the {@code JAVA_TOOL_OPTIONS} value they set is the documented flag, the Kubernetes
 *       YAML parses, and the ConfigMap's {@code ifpin.conf} passes {@code check}.</li>
 * </ul>
 */
class DeploymentRecipesIT {
    private static final Path DOC = ItEnv.repoRoot().resolve("docs/deployment.md");
    private static final String FLAG = "-javaagent:/opt/ifpin/ifpin-agent.jar=/etc/ifpin/ifpin.conf";
    private static final String APP_CLASS = UdpTwoDestinationsApp.class.getName();

    @RegisterExtension
    static final NetnsLab lab = NetnsLab.perClass("dep");
    @TempDir
    static Path work;

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
}
