package io.ifpin.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads the agent's implementation (rule engine, ByteBuddy's copy of ASM, JNA, Typesafe Config) from the {@value #PREFIX}
 * directory of the agent jar, where the build stores classes as {@code .classdata}, out of the application's sight.
 * Parent: the platform loader. Why, and what else is where: docs/dev/architecture.md, "Class-loader map".
 */
final class AgentClassLoader extends ClassLoader implements Consumer<BiConsumer<String, Instrumentation>> {

    static final String PREFIX = "ifpin-inst/";
    private static final String CLASS_SUFFIX = ".classdata";
    private static final String BRIDGE_PACKAGE = "io.ifpin.bridge.";

    static {
        registerAsParallelCapable();
    }

    private final JarFile jar;
    private final String jarUrl;
    private final ProtectionDomain protectionDomain;
    private volatile BiConsumer<String, Instrumentation> agentMain;

    AgentClassLoader(JarFile jar) throws MalformedURLException {
        super("ifpin", ClassLoader.getPlatformClassLoader());
        this.jar = jar;
        URI jarUri = new java.io.File(jar.getName()).toURI();
        this.jarUrl = "jar:" + jarUri + "!/";
        this.protectionDomain = new ProtectionDomain(new CodeSource(jarUri.toURL(), (Certificate[]) null), null, this, null);
    }

    /**
     * Called by {@code io.ifpin.core.AgentMain}'s static initialiser with its entry point: a JDK interface both sides
     * see, so {@code IfpinAgent} calls premain without reflection (on Java 18+ a reflective call spins method-handle
     * classes, milliseconds of every start).
     */
    @Override
    public void accept(BiConsumer<String, Instrumentation> entryPoint) {
        agentMain = entryPoint;
    }

    BiConsumer<String, Instrumentation> agentMain() {
        BiConsumer<String, Instrumentation> entryPoint = agentMain;
        if (entryPoint == null) {
            throw new IllegalStateException("io.ifpin.core.AgentMain did not hand over its entry point");
        }
        return entryPoint;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (name.startsWith(BRIDGE_PACKAGE)) {
            // Parent-first delegation found no bridge in the bootstrap loader. Defining a second copy here would
            // split ifpin in two (the patched JDK classes would call one copy, the agent would configure the other).
            throw new ClassNotFoundException(name + " must be defined in the bootstrap loader first");
        }
        JarEntry entry = jar.getJarEntry(PREFIX + name.replace('.', '/') + CLASS_SUFFIX);
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] bytes;
        try (InputStream in = jar.getInputStream(entry)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
        int lastDot = name.lastIndexOf('.');
        if (lastDot > 0) {
            String packageName = name.substring(0, lastDot);
            if (getDefinedPackage(packageName) == null) {
                try {
                    definePackage(packageName, null, null, null, null, null, null, null);
                } catch (IllegalArgumentException definedConcurrently) {
                    // another thread defined it first: fine
                }
            }
        }
        return defineClass(name, bytes, 0, bytes.length, protectionDomain);
    }

    @Override
    protected URL findResource(String name) {
        String entryName = entryName(name);
        if (jar.getJarEntry(entryName) == null) {
            return null;
        }
        try {
            return new URL(jarUrl + entryName);
        } catch (IOException e) { // a MalformedURLException; a catch of that type would load it in every premain
            return null;
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
    }

    /**
     * Straight from the jar when the jar has it (the bridge's class files, version.properties, reference.conf): the
     * inherited way asks the platform loader first, which opens the JDK's module image, and then reads through a
     * {@code jar:} URL connection, both classes and work of every JVM's premain for names only this jar has.
     */
    @Override
    public InputStream getResourceAsStream(String name) {
        JarEntry entry = jar.getJarEntry(entryName(name));
        if (entry != null) {
            try {
                return jar.getInputStream(entry);
            } catch (IOException e) {
                return null;
            }
        }
        return super.getResourceAsStream(name);
    }

    /** Class files asked for as {@code X.class} resources (ASM reading a class of ours) map to the stored {@code .classdata}. */
    private static String entryName(String resource) {
        String path = resource.startsWith("/") ? resource.substring(1) : resource;
        if (path.endsWith(".class")) {
            path = path.substring(0, path.length() - ".class".length()) + CLASS_SUFFIX;
        }
        return PREFIX + path;
    }
}
