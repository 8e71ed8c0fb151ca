package io.ifpin.it.apps;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.ClassFileVersion;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.FixedValue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import java.util.jar.JarFile;

import static net.bytebuddy.matcher.ElementMatchers.named;

/**
 * Test-only "legacy" app that ships its OWN, older copies of the libraries the agent uses (JNA,
 * ByteBuddy, Typesafe Config) and really uses each of them, then opens a socket. With the agent
 * attached it must still get its own versions and its own config, and its socket must be pinned.
 *
 * <pre>
 * IsolationApp &lt;host&gt; &lt;port&gt;
 * stdout: "&lt;key&gt; &lt;value&gt;" lines (jna-version, jna-jar, jna-getpid, bytebuddy-version, ...)
 * </pre>
 */
public final class IsolationApp {

    private IsolationApp() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);

        // JNA: read VERSION reflectively (a compile-time constant would be inlined by javac and
        // prove nothing), and make a real native call through the app's libjnidispatch.
        // (VERSION lives in JNA's package-private Version interface, hence setAccessible.)
        Field jnaVersion = Native.class.getField("VERSION");
        jnaVersion.setAccessible(true);
        report("jna-version", jnaVersion.get(null));
        report("jna-jar", jarOf(Native.class));
        long pid = NativeLibrary.getInstance("c").getFunction("getpid").invokeInt(new Object[0]);
        report("jna-getpid", pid == ProcessHandle.current().pid() ? "ok" : "mismatch " + pid);

        // ByteBuddy: its jar has no Implementation-Version, so read the Maven metadata from the
        // very jar the class was loaded from. Class files are generated for Java 8 so that this
        // old ByteBuddy works on JVMs newer than it knows (that is the app's business, not ours).
        report("bytebuddy-version", pomVersion(ByteBuddy.class, "net.bytebuddy", "byte-buddy"));
        report("bytebuddy-jar", jarOf(ByteBuddy.class));
        Class<?> generated = new ByteBuddy(ClassFileVersion.JAVA_V8)
                .subclass(Object.class)
                .method(named("toString")).intercept(FixedValue.value("generated-by-app"))
                .make()
                .load(IsolationApp.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
                .getLoaded();
        report("bytebuddy-subclass", generated.getDeclaredConstructor().newInstance());

        // Typesafe Config: the app's own application.conf from its class path.
        Config config = ConfigFactory.load();
        report("config-version", ConfigFactory.class.getPackage().getImplementationVersion());
        report("config-jar", jarOf(ConfigFactory.class));
        report("config-value", config.getString("isolation-app.greeting"));

        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("who am I?\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String reply = in.readLine();
            report("peer", reply != null && reply.startsWith("PEER ") ? reply.substring(5) : "unexpected " + reply);
        }
    }

    private static void report(String key, Object value) {
        System.out.println(key + " " + value);
        System.out.flush();
    }

    private static String jarOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getFileName().toString();
    }

    private static String pomVersion(Class<?> type, String groupId, String artifactId) throws Exception {
        Path jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarFile file = new JarFile(jar.toFile());
             InputStream in = file.getInputStream(file.getEntry("META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties"))) {
            Properties pom = new Properties();
            pom.load(in);
            return pom.getProperty("version");
        }
    }
}
