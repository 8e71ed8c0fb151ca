package io.ifpin.instrument;

import io.ifpin.bridge.PinBridge;
import io.ifpin.log.IfpinLog;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CompletionHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Where each JDK socket path enters ifpin. Every public way to open an outbound socket funnels into one of these
 * {@code sun.nio.ch} methods on JDK 17 and 25 (see docs/architecture.md for the call chains):
 *
 * <ul>
 *   <li>{@code NioSocketImpl.beginConnect(InetAddress, int)}: {@code Socket}, {@code SSLSocket},
 *       {@code URL.openConnection}, sockets the app bound first. Unlike {@code sun.net.NetHooks.beforeTcpConnect},
 *       which the JDK only calls for unbound sockets, this runs for every connect.</li>
 *   <li>{@code SocketChannelImpl.beginConnect(boolean, SocketAddress)}: {@code SocketChannel} blocking and
 *       non-blocking, its socket adaptor, {@code java.net.http.HttpClient}.</li>
 *   <li>{@code UnixAsynchronousSocketChannelImpl.implConnect}: {@code AsynchronousSocketChannel}.</li>
 *   <li>{@code DatagramChannelImpl.connect(SocketAddress, boolean)} and its private
 *       {@code send(FileDescriptor, ByteBuffer, InetSocketAddress)}: {@code DatagramChannel} and
 *       {@code DatagramSocket}/{@code MulticastSocket}, which delegate to it since JDK 15 (JEP 373).</li>
 * </ul>
 * All run before the connect or send system call, on the caller's thread (virtual or not).
 */
public final class SocketInstrumentation {

    /** One socket path: the class, the method, and the advice that calls {@link PinBridge}. */
    private record Path(String description, String typeName, ElementMatcher<? super MethodDescription> method,
                        Class<?> advice) {
    }

    private static final List<Path> PATHS = List.of(
            new Path("Socket/SSLSocket/URLConnection", "sun.nio.ch.NioSocketImpl",
                    named("beginConnect").and(takesArguments(InetAddress.class, int.class)),
                    PinNioSocketConnect.class),
            new Path("SocketChannel/HttpClient", "sun.nio.ch.SocketChannelImpl",
                    named("beginConnect").and(takesArguments(boolean.class, SocketAddress.class)),
                    PinSocketChannelConnect.class),
            new Path("AsynchronousSocketChannel", "sun.nio.ch.UnixAsynchronousSocketChannelImpl",
                    named("implConnect").and(takesArguments(SocketAddress.class, Object.class, CompletionHandler.class)),
                    PinAsyncSocketChannelConnect.class),
            new Path("DatagramSocket/DatagramChannel connect", "sun.nio.ch.DatagramChannelImpl",
                    named("connect").and(takesArguments(SocketAddress.class, boolean.class)),
                    PinDatagramConnect.class),
            new Path("DatagramSocket/DatagramChannel send", "sun.nio.ch.DatagramChannelImpl",
                    named("send").and(isPrivate())
                            .and(takesArguments(FileDescriptor.class, ByteBuffer.class, InetSocketAddress.class)),
                    PinDatagramSend.class));

    private SocketInstrumentation() {
    }

    /**
     * Installs the advice and loads the target classes so the result is known now, not at the first connect.
     *
     * @return the paths that are NOT covered on this JDK (empty when all are)
     */
    public static List<String> install(Instrumentation instrumentation) {
        Map<Path, Boolean> covered = new ConcurrentHashMap<>();
        AgentBuilder builder = newAgentBuilder()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                .with(new ErrorListener())
                // ByteBuddy ignores JDK classes by default; these JDK classes are the whole point.
                .ignore(none());
        for (Path path : PATHS) {
            builder = builder.type(named(path.typeName())).transform(
                    (DynamicType.Builder<?> type, TypeDescription description, ClassLoader loader, JavaModule module,
                     java.security.ProtectionDomain domain) -> {
                        if (!description.getDeclaredMethods().filter(path.method()).isEmpty()) {
                            covered.put(path, Boolean.TRUE);
                        }
                        return type.visit(Advice.to(path.advice()).on(path.method()));
                    });
        }
        builder.installOn(instrumentation);

        List<String> missing = new ArrayList<>();
        for (Path path : PATHS) {
            try {
                // Loading (not initializing) triggers the transformation, so coverage is checked at startup.
                Class.forName(path.typeName(), false, null);
            } catch (ClassNotFoundException | LinkageError e) {
                IfpinLog.debug("cannot load " + path.typeName() + ": " + e);
            }
            if (!covered.containsKey(path)) {
                missing.add(path.description() + " (" + path.typeName() + ")");
            }
        }
        return missing;
    }

    /**
     * {@code AgentBuilder.Default}'s constructor prepares ByteBuddy's "Nexus", which injects a class into the
     * application's system class loader through {@code sun.misc.Unsafe} (JDK 24+ warns about that on stderr). ifpin
     * uses no Nexus ({@code InitializationStrategy.NoOp}), so it is switched off for the moment of construction and
     * the property restored: the application's own ByteBuddy, if any, must not be affected.
     */
    private static AgentBuilder.Default newAgentBuilder() {
        String property = "net.bytebuddy.nexus.disabled";
        String previous = System.getProperty(property);
        System.setProperty(property, "true");
        try {
            return new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED));
        } finally {
            if (previous == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, previous);
            }
        }
    }

    public static List<String> pathDescriptions() {
        List<String> names = new ArrayList<>();
        for (Path path : PATHS) {
            names.add(path.description());
        }
        return names;
    }

    /** Reports transformation failures in ifpin's own log: the socket path named is then not pinned. */
    private static final class ErrorListener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
                            Throwable throwable) {
            IfpinLog.error("instrumenting " + typeName + " failed, sockets opened through it are NOT pinned: "
                    + throwable);
        }
    }

    // Advice: byte code copied into the JDK methods above. One call each, into the bootstrap bridge, which catches
    // everything; suppress is a second net for what could be thrown before the bridge is entered (a LinkageError).

    static final class PinNioSocketConnect {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Return FileDescriptor fd, @Advice.Argument(0) InetAddress address,
                         @Advice.Argument(1) int port) throws IOException {
            PinBridge.beforeTcpConnect(fd, address, port);
        }
    }

    static final class PinSocketChannelConnect {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Argument(1) SocketAddress remote)
                throws IOException {
            PinBridge.beforeTcpConnect(fd, remote);
        }
    }

    static final class PinAsyncSocketChannelConnect {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Argument(0) SocketAddress remote)
                throws IOException {
            PinBridge.beforeTcpConnect(fd, remote);
        }
    }

    static final class PinDatagramConnect {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Argument(0) SocketAddress remote)
                throws IOException {
            PinBridge.beforeUdpSend(fd, remote);
        }
    }

    static final class PinDatagramSend {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) FileDescriptor fd, @Advice.Argument(2) InetSocketAddress target)
                throws IOException {
            PinBridge.beforeUdpSend(fd, target);
        }
    }
}
