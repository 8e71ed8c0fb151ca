package io.ifpin.agent;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.jar.JarFile;

/**
 * Entry point of {@code -javaagent:ifpin-agent.jar=<config>} and of {@code java -jar ifpin-agent.jar}.
 *
 * <p>This class is loaded by the application class loader (the JVM puts an agent jar on the system class path), so
 * it must stay tiny and depend on nothing but the JDK: it creates the isolated {@link AgentClassLoader} that holds
 * everything else (including the bridge classes it then defines in the bootstrap loader) and hands over.
 * Every failure is caught and reported on stderr so a broken agent never stops the application; an invalid config
 * is the one deliberate stop, and the installer does that itself.
 *
 * <p>In a JVM that runs ifpin's own command line ({@code java -jar ifpin-agent.jar check ...} with
 * {@code JAVA_TOOL_OPTIONS=-javaagent:...}, as a systemd {@code ExecStartPre=} does), the agent does nothing: the
 * command checks the config itself, and must not be stopped by the agent's own reading of it.
 */
public final class IfpinAgent {

    private static final String AGENT_MAIN = "io.ifpin.core.AgentMain";
    private static final String CLI = "io.ifpin.cli.Cli";

    private IfpinAgent() {
    }

    public static void premain(String agentArgument, Instrumentation instrumentation) {
        try {
            File agentJar = agentJarFile();
            if (runsOwnCommandLine(System.getProperty("sun.java.command"), System.getProperty("java.class.path"),
                    agentJar)) {
                if ("debug".equalsIgnoreCase(System.getProperty("ifpin.log.level"))) {
                    stderr().println("[ifpin] DEBUG this JVM runs ifpin's own command line ("
                            + System.getProperty("sun.java.command") + "): the -javaagent of ifpin does nothing here");
                }
                return;
            }
            AgentClassLoader loader = new AgentClassLoader(new JarFile(agentJar));
            Class.forName(AGENT_MAIN, true, loader); // its static initialiser hands its entry point to the loader
            loader.agentMain().accept(agentArgument, instrumentation);
        } catch (Throwable t) {
            Throwable cause = t instanceof InvocationTargetException || t instanceof UndeclaredThrowableException
                    ? t.getCause() : t;
            // A byte buffer, not a StringWriter: the verifier loads what this code passes as a Writer when it
            // verifies IfpinAgent, in every JVM's premain; ByteArrayOutputStream is in the JDK's class-data archive.
            ByteArrayOutputStream trace = new ByteArrayOutputStream();
            cause.printStackTrace(new PrintStream(trace, true));
            PrintStream stderr = stderr();
            stderr.println("[ifpin] ERROR the agent failed to start; sockets are NOT pinned: " + cause);
            for (String line : trace.toString().split("\n")) {
                stderr.println("[ifpin] ERROR " + line);
            }
        }
    }

    /** {@code java -jar ifpin-agent.jar ...}: command-line tools, run in the same isolated loader as the agent. */
    public static void main(String[] args) throws Exception {
        JarFile agentJar = new JarFile(agentJarFile());
        Class<?> cli = Class.forName(CLI, true, new AgentClassLoader(agentJar));
        try {
            cli.getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (Exception e) { // and instanceof: a catch of InvocationTargetException would load it in premain too
            if (e instanceof InvocationTargetException && e.getCause() instanceof Exception) {
                throw (Exception) e.getCause();
            }
            throw e;
        }
    }

    /**
     * Whether the JVM's main class is ifpin's own: {@code java -cp <jar> io.ifpin.agent.IfpinAgent ...}, or
     * {@code java -jar <this agent jar> ...}, where the launcher puts the jar's path first in {@code sun.java.command},
     * as written, and makes it the whole class path.
     */
    static boolean runsOwnCommandLine(String command, String classPath, File agentJar) {
        if (command == null) {
            return false;
        }
        String ownMain = IfpinAgent.class.getName();
        if (command.equals(ownMain) || command.startsWith(ownMain + " ")) {
            return true;
        }
        if (classPath == null || classPath.isEmpty() || classPath.contains(File.pathSeparator)
                || !(command.equals(classPath) || command.startsWith(classPath + " "))) {
            return false;
        }
        try {
            return new File(classPath).getCanonicalFile().equals(agentJar.getCanonicalFile());
        } catch (IOException e) {
            return false;
        } catch (RuntimeException e) { // not a catch of SecurityException: see main
            if (e instanceof SecurityException) {
                return false;
            }
            throw e;
        }
    }

    private static PrintStream stderr() {
        return new PrintStream(new FileOutputStream(FileDescriptor.err), true);
    }

    private static File agentJarFile() throws Exception {
        return new File(IfpinAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
