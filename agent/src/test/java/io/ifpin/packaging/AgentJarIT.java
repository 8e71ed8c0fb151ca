package io.ifpin.packaging;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shape of the packaged jar: what the application's class loader can see of it (only the launcher) and what the
 * agent needs inside it. Runs after {@code package}, on the real {@code target/ifpin-agent.jar}.
 */
class AgentJarIT {

    private static Path jarPath;

    @BeforeAll
    static void locateJar() {
        jarPath = Path.of(System.getProperty("ifpin.agent.jar", "target/ifpin-agent.jar"));
        assertTrue(jarPath.toFile().isFile(), "packaged agent jar missing: " + jarPath.toAbsolutePath());
    }

    @Test
    void manifestDeclaresTheAgent() throws Exception {
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("io.ifpin.agent.IfpinAgent", main.getValue("Premain-Class"));
            assertEquals("io.ifpin.agent.IfpinAgent", main.getValue("Main-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
        }
    }

    @Test
    void onlyTheLauncherIsAtANormalClassPath() throws Exception {
        List<String> visible = new ArrayList<>();
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.endsWith("/") || name.equals("META-INF/MANIFEST.MF") || name.startsWith("ifpin-inst/")) {
                    continue;
                }
                visible.add(name);
            }
        }
        assertEquals(List.of("io/ifpin/agent/AgentClassLoader.class", "io/ifpin/agent/IfpinAgent.class"),
                visible.stream().sorted().toList(),
                "anything else at a normal path is visible to (and may clash with) the application");
    }

    @Test
    void theAgentsDependenciesAreInsideUnderThePrefix() throws Exception {
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            for (String entry : List.of("ifpin-inst/reference.conf",
                    "ifpin-inst/io/ifpin/bridge/PinBridge.classdata",
                    "ifpin-inst/io/ifpin/core/AgentMain.classdata",
                    // the named module of Java 22+, read by NativeAccessModule's ModuleFinder (docs/dev/architecture.md)
                    "ifpin-inst/io/ifpin/nativeaccess/LibcDowncalls.classdata",
                    "ifpin-inst/net/bytebuddy/jar/asm/ClassReader.classdata",
                    "ifpin-inst/com/typesafe/config/ConfigFactory.classdata",
                    "ifpin-inst/com/sun/jna/Native.classdata",
                    "ifpin-inst/com/sun/jna/linux-x86-64/libjnidispatch.so",
                    "ifpin-inst/com/sun/jna/linux-aarch64/libjnidispatch.so")) {
                assertNotNull(jar.getJarEntry(entry), entry);
            }
            assertNull(jar.getJarEntry("ifpin-inst/com/sun/jna/win32-x86-64/jnidispatch.dll"), "non-Linux natives");
        }
    }

    /**
     * Of ByteBuddy only its copy of ASM's core package ships, and of that only what ifpin's classes reach: the rest
     * (3.8 MB, ~3,000 entries) cost every JVM start a bigger central directory to read, twice (docs/dev/architecture.md).
     * Reaching a class no longer shipped fails here rather than with NoClassDefFoundError in an application.
     */
    @Test
    void ofByteBuddyOnlyTheAsmClassesIfpinReachesShip() throws Exception {
        Map<String, Set<String>> references = new HashMap<>();
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                String name = entry.getName();
                if (name.startsWith("ifpin-inst/") && name.endsWith(".classdata")) {
                    name = name.substring("ifpin-inst/".length(), name.length() - ".classdata".length());
                } else if (name.endsWith(".class")) {
                    name = name.substring(0, name.length() - ".class".length());
                } else {
                    continue;
                }
                try (InputStream in = jar.getInputStream(entry)) {
                    references.put(name, referencedClasses(in.readAllBytes()));
                }
            }
        }
        Set<String> reached = new TreeSet<>();
        Deque<String> pending = new ArrayDeque<>();
        references.keySet().stream().filter(name -> name.startsWith("io/ifpin/")).forEach(pending::add);
        while (!pending.isEmpty()) {
            String name = pending.pop();
            if (reached.add(name)) {
                references.getOrDefault(name, Set.of()).forEach(pending::push);
            }
        }
        Set<String> missing = new TreeSet<>(reached);
        missing.removeIf(name -> !name.startsWith("net/bytebuddy/") || references.containsKey(name));
        assertEquals(Set.of(), missing, "ByteBuddy classes ifpin reaches but the jar lacks (agent/pom.xml's filter)");
        Set<String> unreached = new TreeSet<>(references.keySet());
        unreached.removeIf(name -> !name.startsWith("net/bytebuddy/") || reached.contains(name));
        assertTrue(unreached.isEmpty(), unreached.size() + " ByteBuddy classes ship that ifpin never reaches, such as "
                + unreached.stream().limit(5).toList());
        assertTrue(references.keySet().stream().filter(name -> name.startsWith("net/bytebuddy/"))
                .allMatch(name -> name.matches("net/bytebuddy/jar/asm/[^/]+")), "only ASM's core package");
    }

    /** The classes premain reads are stored (no inflating in an interpreted class loader); the rest is deflated. */
    @Test
    void theClassesOfEveryStartAreStored() throws Exception {
        List<String> deflated = new ArrayList<>();
        List<String> stored = new ArrayList<>();
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                String name = entry.getName();
                boolean startClass = name.startsWith("io/ifpin/agent/") && name.endsWith(".class")
                        || (name.startsWith("ifpin-inst/io/ifpin/") || name.startsWith("ifpin-inst/net/bytebuddy/"))
                        && name.endsWith(".classdata");
                if (startClass && entry.getMethod() != ZipEntry.STORED) {
                    deflated.add(name);
                } else if (name.startsWith("ifpin-inst/com/") && !entry.isDirectory()
                        && entry.getMethod() == ZipEntry.STORED) {
                    stored.add(name);
                }
            }
        }
        assertTrue(deflated.isEmpty(), deflated.size() + " start classes deflated, such as "
                + deflated.stream().limit(3).toList());
        assertTrue(stored.isEmpty(), stored.size() + " entries of JNA or Typesafe Config stored, such as "
                + stored.stream().limit(3).toList());
    }

    /**
     * What the jar costs every JVM start (issue 13): ~580 entries, whose central directory every start reads, and
     * 2.4 MB since ifpin's and ASM's classes are stored rather than deflated (premain reads them: agent/pom.xml).
     */
    @Test
    void theJarStaysSmall() throws Exception {
        long entries;
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            entries = jar.size();
        }
        assertTrue(Files.size(jarPath) < 2_600_000, "jar of " + Files.size(jarPath) + " bytes: over 2.6 MB");
        assertTrue(entries < 800, "jar of " + entries + " entries: over 800");
    }

    /** Every class a class file names: its supertypes, fields, signatures, instructions, annotations. */
    private static Set<String> referencedClasses(byte[] classFile) {
        Set<String> names = new HashSet<>();
        new ClassReader(classFile).accept(new ClassRemapper(new ClassWriter(0), new Remapper() {
            @Override
            public String map(String internalName) {
                names.add(internalName);
                return internalName;
            }
        }), 0);
        return names;
    }

    /** For java -jar ifpin-agent.jar (check, explain) on Java 22+; the JVM ignores it for -javaagent. */
    @Test
    void theManifestEnablesNativeAccessForTheCommandLineTools() throws Exception {
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            assertEquals("ALL-UNNAMED", jar.getManifest().getMainAttributes().getValue("Enable-Native-Access"));
        }
    }

    @Test
    void anApplicationClassLoaderSeesNoneOfIfpinsLibraries() throws Exception {
        try (URLClassLoader app = new URLClassLoader(new URL[] {jarPath.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            for (String name : List.of("com.sun.jna.Native", "net.bytebuddy.ByteBuddy",
                    "com.typesafe.config.ConfigFactory", "io.ifpin.bridge.PinBridge", "io.ifpin.core.AgentMain")) {
                assertThrows(ClassNotFoundException.class, () -> app.loadClass(name), name);
            }
            assertNull(app.getResource("reference.conf"), "the app's ConfigFactory.load() would merge it");
            assertThrows(ClassNotFoundException.class, () -> app.loadClass("io.ifpin.nativeaccess.LibcDowncalls"),
                    "the class that links native functions must not be reachable from the application");
            assertNull(app.getResource("com/sun/jna/linux-x86-64/libjnidispatch.so"));
            assertNotNull(app.loadClass("io.ifpin.agent.IfpinAgent"));
        }
    }

    @Test
    void versionCommandPrintsTheVersion() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-jar", jarPath.toString(), "--version")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue());
        assertTrue(out.matches("ifpin \\d+\\.\\d+\\.\\d+.*"), out);
    }

    @Test
    void explainThroughTheJarResolvesANameLikeTheApplicationWould(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path hosts = java.nio.file.Files.writeString(dir.resolve("hosts"), "203.0.113.10 api.corp.example\n");
        Path config = java.nio.file.Files.writeString(dir.resolve("ifpin.conf"),
                "ifpin.rules = [ { name = corp, hosts = [\"*.corp.example\"], interface = tun0 } ]\n");
        String out = explain("-Djdk.net.hosts.file=" + hosts, config, "api.corp.example");
        assertTrue(out.contains("address 203.0.113.10 (name api.corp.example)"), out);
        assertTrue(out.contains("MATCH: host api.corp.example matches *.corp.example"), out);
        assertTrue(out.contains("=> pinned to tun0 by rule 'corp'"), out);
    }

    /**
     * The packaged agent reads a plain config with its own parser and its own values: no Typesafe Config class is
     * loaded, durations and sizes in their common forms included. A config with a substitution takes the full parse
     * (so the check can see the difference).
     */
    @Test
    void aPlainConfigIsReadWithoutTypesafeConfig(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path plain = Files.writeString(dir.resolve("plain.conf"), "ifpin {\n  reload-interval = 5s\n"
                + "  audit { max-size = 10M }\n"
                + "  rules = [ { name = corp, cidrs = [\"203.0.113.0/24\"], interface = tun0 } ]\n}\n");
        Path substituted = Files.writeString(dir.resolve("substituted.conf"),
                "dev = tun0\nifpin {\n  rules = [ { name = corp, cidrs = [\"203.0.113.0/24\"], interface = ${dev} } ]\n}\n");
        assertEquals(List.of(true, false), List.of(loadsTypesafe(dir, substituted), loadsTypesafe(dir, plain)));
    }

    private static boolean loadsTypesafe(Path dir, Path config) throws Exception {
        Path log = dir.resolve(config.getFileName() + ".classes");
        String out = explain("-Xlog:class+load:file=" + log, config, "203.0.113.10");
        assertTrue(out.contains("=> pinned to tun0 by rule 'corp'"), out);
        String classes = Files.readString(log);
        assertTrue(classes.contains("io.ifpin.config.FastHoconParser "), "the fast parser was not even tried");
        return classes.contains(" com.typesafe.config.");
    }

    /** {@code java <jvmOption> -jar ifpin-agent.jar explain <config> <destination> 443}: its output, exit status 0. */
    private static String explain(String jvmOption, Path config, String destination) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, jvmOption, "-jar", jarPath.toString(), "explain", config.toString(),
                destination, "443").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), out);
        return out;
    }

    @Test
    void anUnknownCommandFails() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-jar", jarPath.toString(), "no-such-command")
                .redirectOutput(new File("/dev/null")).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(64, process.exitValue());
    }
}
