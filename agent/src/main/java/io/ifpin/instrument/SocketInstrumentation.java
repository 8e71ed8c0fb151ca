package io.ifpin.instrument;

import io.ifpin.log.IfpinLog;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each JDK socket path enters ifpin. Every public way to open an outbound socket funnels into one of these
 * {@code sun.nio.ch} methods on JDK 17 and 25 (see docs/dev/architecture.md for the call chains):
 *
 * <ul>
 *   <li>{@code NioSocketImpl.beginConnect(InetAddress, int)}, on entry: {@code Socket}, {@code SSLSocket},
 *       {@code URL.openConnection}, sockets the app bound first. Unlike {@code sun.net.NetHooks.beforeTcpConnect},
 *       which the JDK only calls for unbound sockets, this runs for every connect. On entry, not on return: the
 *       socket is still {@code ST_UNCONNECTED} there, so when the hook refuses it (a deny rule) the JDK's own
 *       {@code close()} releases the descriptor; on return it would be {@code ST_CONNECTING} with this thread
 *       registered as its reader, and close would leave the descriptor number allocated.</li>
 *   <li>{@code SocketChannelImpl.beginConnect(boolean, SocketAddress)}, on return: {@code SocketChannel} blocking and
 *       non-blocking, its socket adaptor, {@code java.net.http.HttpClient}. Its caller runs {@code endConnect} in a
 *       {@code finally}, so a refusal there leaves a consistent channel that the JDK then closes.</li>
 *   <li>{@code UnixAsynchronousSocketChannelImpl.implConnect}, right after its call to {@code begin()}:
 *       {@code AsynchronousSocketChannel}. That call is the first thing inside the method's {@code try}, whose
 *       {@code catch (Throwable)} turns a refusal into a failed future (or handler call) and closes the channel, as
 *       for any other connect failure. Not before it: {@code begin()} takes the close lock that the {@code finally}
 *       block's {@code end()} releases, and releasing it untaken throws {@code IllegalMonitorStateException}.</li>
 *   <li>{@code DatagramChannelImpl.connect(SocketAddress, boolean)} and its private
 *       {@code send(FileDescriptor, ByteBuffer, InetSocketAddress)}, on entry: {@code DatagramChannel} and
 *       {@code DatagramSocket}/{@code MulticastSocket}, which delegate to it since JDK 15 (JEP 373).</li>
 * </ul>
 * All run before the connect or send system call, on the caller's thread (virtual or not).
 *
 * <p>Each patch is one static call into {@code io.ifpin.bridge.PinBridge} with values already on hand (arguments and the
 * object's {@code fd} field), inserted with ASM (the copy inside ByteBuddy) by a plain {@link ClassFileTransformer}.
 * Why not ByteBuddy's {@code Advice}, and what keeps a patch safe: docs/dev/architecture.md, "Instrumentation: call
 * sites patched with ASM". A refusal (the bridge's {@link java.io.IOException}) propagates as the JDK method's own
 * connect or send failure.
 */
public final class SocketInstrumentation {

    private static final String BRIDGE = "io/ifpin/bridge/PinBridge";
    private static final String FILE_DESCRIPTOR = "Ljava/io/FileDescriptor;";
    private static final String TCP_WITH_ADDRESS = "(Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)V";
    private static final String TCP_WITH_SOCKET_ADDRESS = "(Ljava/io/FileDescriptor;Ljava/net/SocketAddress;)V";
    private static final String UDP_WITH_SOCKET_ADDRESS = "(Ljava/io/FileDescriptor;Ljava/net/SocketAddress;)V";

    private static final String NET = "sun/nio/ch/Net";
    private static final String NET_LISTEN = "(Ljava/io/FileDescriptor;I)V";
    private static final String LISTEN = "(Ljava/io/FileDescriptor;)V";

    /**
     * Where the patch reads the socket's descriptor from. {@code NET_LISTEN_ARGUMENT}: the fd argument of the
     * {@code Net.listen(fd, backlog)} call the patch precedes (copied with {@code DUP2; POP}).
     */
    private enum FdSource { FIELD_FD, ARGUMENT_1, NET_LISTEN_ARGUMENT }

    /** Where in the method the call goes. */
    private enum Anchor {
        ENTRY,
        BEFORE_EACH_RETURN,
        /** Right after the first {@code invokevirtual begin()V} of the method. */
        AFTER_BEGIN_CALL,
        /** Right before each {@code Net.listen(fd, backlog)}: after bind (the local address is known), before listen(2). */
        BEFORE_NET_LISTEN
    }

    /**
     * One socket path: the class, the method, where the call goes and what it passes; built by the factories below,
     * which name the three shapes (fd from a field, fd as an argument, a listener).
     *
     * @param fieldOwner the class declaring {@code fd} when the descriptor is read from the field
     * @param addressSlot the local variable slot of the destination argument
     */
    private record Path(String description, String typeName, String method, String methodDescriptor, Anchor anchor,
                        FdSource fdSource, String fieldOwner, int addressSlot, String bridgeMethod,
                        String bridgeDescriptor) {

        /**
         * A connect or send that reads the socket's descriptor from the {@code fd} field {@code fieldOwner} declares,
         * and its destination from the argument in {@code addressSlot}.
         */
        static Path readingFdField(String description, String typeName, String method, String methodDescriptor,
                                   Anchor anchor, String fieldOwner, int addressSlot, String bridgeMethod,
                                   String bridgeDescriptor) {
            return new Path(description, typeName, method, methodDescriptor, anchor, FdSource.FIELD_FD, fieldOwner,
                    addressSlot, bridgeMethod, bridgeDescriptor);
        }

        /** A send, patched on entry, whose first argument is the descriptor. */
        static Path readingFdArgument(String description, String typeName, String method, String methodDescriptor,
                                      int addressSlot, String bridgeMethod, String bridgeDescriptor) {
            return new Path(description, typeName, method, methodDescriptor, Anchor.ENTRY, FdSource.ARGUMENT_1, null,
                    addressSlot, bridgeMethod, bridgeDescriptor);
        }

        /** A listener: the patch goes before each {@code Net.listen(fd, backlog)} and passes that call's fd only. */
        static Path listener(String description, String typeName, String method, String methodDescriptor) {
            return new Path(description, typeName, method, methodDescriptor, Anchor.BEFORE_NET_LISTEN,
                    FdSource.NET_LISTEN_ARGUMENT, null, 0, "beforeListen", LISTEN);
        }

        String internalName() {
            return typeName.replace('.', '/');
        }

        // Each path is one constant: identity is equality. Written out because a record's own equals and hashCode
        // bootstrap through invokedynamic, which spins classes in premain (docs/dev/architecture.md, "Startup order").
        @Override
        public boolean equals(Object other) {
            return this == other;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    private static final List<Path> PATHS = List.of(
            Path.readingFdField("Socket/SSLSocket/URLConnection", "sun.nio.ch.NioSocketImpl", "beginConnect",
                    "(Ljava/net/InetAddress;I)Ljava/io/FileDescriptor;", Anchor.ENTRY, "java.net.SocketImpl", 1,
                    "beforeTcpConnect", TCP_WITH_ADDRESS),
            Path.readingFdField("SocketChannel/HttpClient", "sun.nio.ch.SocketChannelImpl", "beginConnect",
                    "(ZLjava/net/SocketAddress;)V", Anchor.BEFORE_EACH_RETURN, "sun.nio.ch.SocketChannelImpl", 2,
                    "beforeTcpConnect", TCP_WITH_SOCKET_ADDRESS),
            Path.readingFdField("AsynchronousSocketChannel", "sun.nio.ch.UnixAsynchronousSocketChannelImpl",
                    "implConnect", "(Ljava/net/SocketAddress;Ljava/lang/Object;Ljava/nio/channels/CompletionHandler;)"
                            + "Ljava/util/concurrent/Future;", Anchor.AFTER_BEGIN_CALL,
                    "sun.nio.ch.AsynchronousSocketChannelImpl", 1, "beforeTcpConnect", TCP_WITH_SOCKET_ADDRESS),
            Path.readingFdField("DatagramSocket/DatagramChannel connect", "sun.nio.ch.DatagramChannelImpl", "connect",
                    "(Ljava/net/SocketAddress;Z)Ljava/nio/channels/DatagramChannel;", Anchor.ENTRY,
                    "sun.nio.ch.DatagramChannelImpl", 1, "beforeUdpSend", UDP_WITH_SOCKET_ADDRESS),
            Path.readingFdArgument("DatagramSocket/DatagramChannel send", "sun.nio.ch.DatagramChannelImpl", "send",
                    "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;Ljava/net/InetSocketAddress;)I", 3,
                    "beforeUdpSend", UDP_WITH_SOCKET_ADDRESS),
            // Listeners (direction = inbound rules).
            Path.listener("ServerSocket listen", "sun.nio.ch.NioSocketImpl", "listen", "(I)V"),
            Path.listener("ServerSocketChannel listen", "sun.nio.ch.ServerSocketChannelImpl", "netBind",
                    "(Ljava/net/SocketAddress;I)Ljava/net/SocketAddress;"),
            Path.listener("AsynchronousServerSocketChannel listen", "sun.nio.ch.AsynchronousServerSocketChannelImpl",
                    "bind", "(Ljava/net/SocketAddress;I)Ljava/nio/channels/AsynchronousServerSocketChannel;"));

    private SocketInstrumentation() {
    }

    /**
     * Registers the transformer and retransforms targets that are already loaded: from now on every target is
     * patched as it loads, on whichever thread loads it. {@link Coverage#check} then loads the others, which may run
     * on another thread (it is ASM's cold start, the bulk of the cost, and need not delay the application's main).
     */
    public static Coverage register(Instrumentation instrumentation) {
        Map<String, List<Path>> byClass = new LinkedHashMap<>();
        // The loaded classes are scanned by the binary name as the JDK has it: a replace('.', '/') per loaded class
        // cost 1 to 3 ms of premain.
        Set<String> typeNames = new HashSet<>();
        for (Path path : PATHS) {
            List<Path> paths = byClass.get(path.internalName()); // no lambda in premain
            if (paths == null) {
                paths = new ArrayList<>();
                byClass.put(path.internalName(), paths);
            }
            paths.add(path);
            typeNames.add(path.typeName());
        }
        Set<Path> covered = ConcurrentHashMap.newKeySet();
        instrumentation.addTransformer(new Transformer(byClass, covered), true);

        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (type.getClassLoader() == null && typeNames.contains(type.getName())) {
                loaded.add(type);
            }
        }
        if (!loaded.isEmpty()) {
            try {
                instrumentation.retransformClasses(loaded.toArray(new Class<?>[0]));
            } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
                IfpinLog.error("retransforming " + loaded + " failed, sockets opened through them are NOT pinned: " + e);
            }
        }
        return new Coverage(covered);
    }

    /** Which paths the registered transformer has patched. */
    public static final class Coverage {
        private final Set<Path> covered;

        private Coverage(Set<Path> covered) {
            this.covered = covered;
        }

        /** Loads (without initialising) every target not loaded yet; the paths NOT covered (empty when all are). */
        public List<String> check() {
            List<String> missing = new ArrayList<>();
            for (Path path : PATHS) {
                try {
                    // Loading (not initializing) runs the transformer, so coverage is checked at startup.
                    Class.forName(path.typeName(), false, null);
                } catch (ClassNotFoundException | LinkageError e) {
                    IfpinLog.debug("cannot load " + path.typeName() + ": " + e);
                }
                if (!covered.contains(path)) {
                    missing.add(path.description() + " (" + path.typeName() + ")");
                }
            }
            return missing;
        }
    }

    public static List<String> pathDescriptions() {
        List<String> names = new ArrayList<>();
        for (Path path : PATHS) {
            names.add(path.description());
        }
        return names;
    }

    /** Patches the target methods of the JDK's own classes (bootstrap loader only) as they are loaded. */
    private static final class Transformer implements ClassFileTransformer {

        private final Map<String, List<Path>> byClass;
        private final Set<Path> covered;

        Transformer(Map<String, List<Path>> byClass, Set<Path> covered) {
            this.byClass = byClass;
            this.covered = covered;
        }

        @Override
        public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                                ProtectionDomain domain, byte[] classFile) {
            List<Path> paths = loader == null ? byClass.get(className) : null;
            if (paths == null) {
                return null;
            }
            try {
                return Patcher.patch(className, paths, classFile, covered);
            } catch (Throwable t) {
                // Never let a failed patch break class loading: the class stays as the JDK made it.
                IfpinLog.error("instrumenting " + className.replace('/', '.') + " failed, sockets opened through it"
                        + " are NOT pinned: " + t);
                return null;
            }
        }
    }

    /**
     * The ASM side of {@link Transformer}, in a class of its own so that ASM's classes load at the first patch, not
     * when premain registers the transformer (the verifier of a class that passes ASM types loads them).
     */
    private static final class Patcher {

        private Patcher() {
        }

        static byte[] patch(String className, List<Path> paths, byte[] classFile, Set<Path> covered) {
            List<Path> usable = new ArrayList<>();
            for (Path path : paths) {
                if (path.fdSource() == FdSource.FIELD_FD && !hasFdField(path.fieldOwner(), className, classFile)) {
                    // A GETFIELD of a missing field would fail in the application's connect, not here: refuse.
                    throw new IllegalStateException("field " + path.fieldOwner() + ".fd (" + FILE_DESCRIPTOR
                            + ") not found");
                }
                usable.add(path);
            }
            ClassReader reader = new ClassReader(classFile);
            ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
            Set<Path> patched = new HashSet<>();
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                 String[] exceptions) {
                    MethodVisitor visitor = super.visitMethod(access, name, descriptor, signature, exceptions);
                    for (Path path : usable) {
                        if (path.method().equals(name) && path.methodDescriptor().equals(descriptor)
                                && (access & Opcodes.ACC_STATIC) == 0 && (access & Opcodes.ACC_ABSTRACT) == 0) {
                            return new CallBridge(visitor, path, () -> patched.add(path));
                        }
                    }
                    return visitor;
                }
            }, 0);
            if (patched.isEmpty()) {
                return null;
            }
            byte[] bytes = writer.toByteArray(); // may throw (a method over 64 KiB): then nothing is covered
            covered.addAll(patched);
            return bytes;
        }

        /** The field is declared by the class being patched (read from its bytes) or by a superclass (reflection). */
        private static boolean hasFdField(String owner, String className, byte[] classFile) {
            if (owner.replace('.', '/').equals(className)) {
                boolean[] found = {false};
                new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public FieldVisitor visitField(int access, String name, String descriptor, String signature,
                                                   Object value) {
                        if (name.equals("fd") && descriptor.equals(FILE_DESCRIPTOR) && (access & Opcodes.ACC_STATIC) == 0) {
                            found[0] = true;
                        }
                        return null;
                    }
                }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
                return found[0];
            }
            try {
                return Class.forName(owner, false, null).getDeclaredField("fd").getType() == java.io.FileDescriptor.class;
            } catch (ReflectiveOperationException | LinkageError e) {
                return false;
            }
        }
    }

    /** Inserts {@code PinBridge.<method>(fd, address[, port])} at the path's anchor. */
    private static final class CallBridge extends MethodVisitor {

        private final Path path;
        private final Runnable onAnchorFound;
        private boolean beginCallSeen;
        private boolean listenCallSeen;

        CallBridge(MethodVisitor next, Path path, Runnable onAnchorFound) {
            super(Opcodes.ASM9, next);
            this.path = path;
            this.onAnchorFound = onAnchorFound;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            if (path.anchor() == Anchor.ENTRY) {
                callBridge();
            }
        }

        @Override
        public void visitInsn(int opcode) {
            if (path.anchor() == Anchor.BEFORE_EACH_RETURN && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                callBridge();
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            if (path.anchor() == Anchor.BEFORE_NET_LISTEN && opcode == Opcodes.INVOKESTATIC && owner.equals(NET)
                    && name.equals("listen") && descriptor.equals(NET_LISTEN)) {
                listenCallSeen = true;
                callBridge();
            }
            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
            if (path.anchor() == Anchor.AFTER_BEGIN_CALL && !beginCallSeen && opcode == Opcodes.INVOKEVIRTUAL
                    && name.equals("begin") && descriptor.equals("()V")) {
                // begin() took the channel's close lock and returned nothing: the stack is empty again, and the
                // finally block's end() releases that lock whatever the hook does.
                beginCallSeen = true;
                callBridge();
            }
        }

        @Override
        public void visitEnd() {
            boolean found = switch (path.anchor()) {
                case AFTER_BEGIN_CALL -> beginCallSeen;
                case BEFORE_NET_LISTEN -> listenCallSeen;
                default -> true;
            };
            if (found) {
                onAnchorFound.run();
            }
            super.visitEnd();
        }

        private void callBridge() {
            switch (path.fdSource()) {
                case FIELD_FD -> {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitFieldInsn(Opcodes.GETFIELD, path.fieldOwner().replace('.', '/'), "fd", FILE_DESCRIPTOR);
                }
                case ARGUMENT_1 -> super.visitVarInsn(Opcodes.ALOAD, 1);
                case NET_LISTEN_ARGUMENT -> {
                    // Stack: fd, backlog. Copy the fd for the bridge without disturbing the call's arguments.
                    super.visitInsn(Opcodes.DUP2);
                    super.visitInsn(Opcodes.POP);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, path.bridgeMethod(), path.bridgeDescriptor(),
                            false);
                    return;
                }
            }
            super.visitVarInsn(Opcodes.ALOAD, path.addressSlot());
            if (path.bridgeDescriptor().equals(TCP_WITH_ADDRESS)) {
                super.visitVarInsn(Opcodes.ILOAD, path.addressSlot() + 1); // the port follows the InetAddress
            }
            super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, path.bridgeMethod(), path.bridgeDescriptor(), false);
        }
    }
}
