package io.ifpin.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Defines the {@code io.ifpin.bridge} classes in the bootstrap class loader, where advice inlined into
 * {@code java.base} can link to them.
 *
 * <p>Why not {@code Instrumentation.appendToBootstrapClassLoaderSearch(agentJar)}: it makes HotSpot print "Sharing
 * is only supported for boot loader classes because bootstrap classpath has been appended" on every start and turns
 * off class data sharing for the application's classes (slower startup), and it would expose the whole jar to the
 * bootstrap loader. Defining two small classes directly has neither cost. If a future JDK closes that door, a
 * two-class temporary jar is appended instead (same behaviour, plus the warning).
 *
 * <p>This class must not reference the bridge types itself: it runs before they exist in the bootstrap loader.
 */
final class BootstrapBridge {

    /** Order matters: PinBridge refers to PinHook and NameHook. */
    private static final String[] CLASSES = {"io.ifpin.bridge.PinHook", "io.ifpin.bridge.NameHook",
            "io.ifpin.bridge.PinBridge"};

    private BootstrapBridge() {
    }

    static void defineIfAbsent(Instrumentation instrumentation) throws Exception {
        if (isDefined()) {
            return; // a second ifpin agent on the same command line, or a re-run: the first one wins
        }
        Module javaBase = Object.class.getModule();
        instrumentation.redefineModule(javaBase, Set.of(), Map.of("jdk.internal.misc", Set.of(BootstrapBridge.class.getModule())),
                Map.of(), Set.of(), Map.of());
        try {
            defineWithUnsafe();
        } catch (RuntimeException | LinkageError e) {
            appendTemporaryJar(instrumentation);
        }
    }

    static boolean isDefined() {
        try {
            Class.forName(CLASSES[CLASSES.length - 1], false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static void defineWithUnsafe() throws IOException {
        for (String name : CLASSES) {
            BootstrapDefiner.define(name, read(name));
        }
    }

    private static void appendTemporaryJar(Instrumentation instrumentation) throws IOException {
        Path jar = Files.createTempFile("ifpin-bridge-", ".jar");
        jar.toFile().deleteOnExit();
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            for (String name : CLASSES) {
                out.putNextEntry(new JarEntry(name.replace('.', '/') + ".class"));
                out.write(read(name));
                out.closeEntry();
            }
        }
        instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
    }

    private static byte[] read(String className) throws IOException {
        String resource = className.replace('.', '/') + ".class";
        try (InputStream in = BootstrapBridge.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from the agent jar");
            }
            return in.readAllBytes();
        }
    }
}
