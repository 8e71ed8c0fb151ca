package io.ifpin.instrument;

import io.ifpin.log.IfpinLog;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Netty's native transports (epoll, io_uring) open and connect sockets in C, never through the JDK's socket classes,
 * so {@link SocketInstrumentation} cannot see them. This transformer patches Netty's own Java side, just before it
 * hands an int descriptor to the native connect, send or listen, in every copy of Netty: classes are recognised by
 * the <em>shape</em> of their name ({@code <prefix>/channel/unix/Socket}, ...) under any package prefix, so
 * {@code io.netty}, gRPC's {@code io.grpc.netty.shaded.io.netty} and other shaded copies are all caught.
 *
 * <ul>
 *   <li>{@code <prefix>.channel.unix.Socket} (epoll's and io_uring's {@code LinuxSocket} extend it):
 *       {@code connect(SocketAddress)}, {@code sendTo}/{@code sendToAddress}/{@code sendToAddresses} (the variants
 *       with the fast-open flag; the others delegate to them) and {@code listen(int)}, at entry, with
 *       {@code this.intValue()}.</li>
 *   <li>{@code <prefix>.channel.epoll.LinuxSocket.sendmmsg(packets, offset, count)}: a batch of unconnected
 *       datagrams; the hook reads each destination from Netty's packet objects.</li>
 *   <li>{@code <prefix>.channel.uring.AbstractIoUringChannel.submitConnect(InetSocketAddress)}: io_uring submits the
 *       connect as a ring operation, not through {@code Socket.connect}.</li>
 *   <li>{@code <prefix>.channel.uring.MsgHdrMemory.setSocketAddress(LinuxSocket, InetSocketAddress)}: io_uring's
 *       unconnected UDP sends ({@code sendmsg} ring operations) write their destination here.</li>
 * </ul>
 *
 * <p>Unlike the JDK classes, these are loaded by application class loaders, after startup, so a class with the right
 * name but an unexpected shape is reported when it is loaded ({@code not covered: ...}), and the copies found on the
 * system class path are listed at startup. The inserted calls link to {@code io.ifpin.bridge.PinBridge} in the
 * bootstrap loader, which every loader that delegates to its parent can see; a loader that cannot (some isolating
 * plugin loaders) is detected and reported, and the class stays unpatched rather than failing in the connect.
 */
public final class NativeTransportInstrumentation {

    private static final String BRIDGE = "io/ifpin/bridge/PinBridge";
    private static final String CONNECT = "(ILjava/net/SocketAddress;)V";
    private static final String SEND_TO_ADDRESS = "(ILjava/net/InetAddress;I)V";
    private static final String LISTEN = "(I)V";
    private static final String SEND_BATCH = "(I[Ljava/lang/Object;II)V";

    /** Where the int descriptor comes from. */
    private enum FdSource {
        /** {@code this.intValue()} (the class is a Netty FileDescriptor). */
        THIS_INT_VALUE,
        /** {@code this.fd().intValue()} (an io_uring channel). */
        THIS_FD_INT_VALUE,
        /** {@code arg1.intValue()} (arg 1 is io_uring's LinuxSocket). */
        ARG1_INT_VALUE
    }

    /**
     * One method to patch in a shape.
     *
     * @param descriptor the method's descriptor, {@code %s} standing for the prefix's internal name
     * @param addressSlot local slot of the destination ({@code SocketAddress}, or {@code InetAddress} followed by
     *                    the int port), or -1 (listen)
     */
    private record Patch(String method, String descriptor, FdSource fdSource, int addressSlot, String bridgeMethod,
                         String bridgeDescriptor) {
    }

    /**
     * A class Netty has in every copy: its name after the prefix, and what must be patched in it.
     *
     * @param superSuffix when not null, the class must extend {@code <prefix><superSuffix>}
     */
    private record Shape(String suffix, String description, String superSuffix, List<Patch> patches) {
    }

    private static final List<Shape> SHAPES = List.of(
            new Shape("/channel/unix/Socket", "Netty native socket (epoll, io_uring): connect, sendTo, listen",
                    "/channel/unix/FileDescriptor", List.of(
                    new Patch("connect", "(Ljava/net/SocketAddress;)Z", FdSource.THIS_INT_VALUE, 1,
                            "beforeNativeConnect", CONNECT),
                    new Patch("sendTo", "(Ljava/nio/ByteBuffer;IILjava/net/InetAddress;IZ)I", FdSource.THIS_INT_VALUE, 4,
                            "beforeNativeSend", SEND_TO_ADDRESS),
                    new Patch("sendToAddress", "(JIILjava/net/InetAddress;IZ)I", FdSource.THIS_INT_VALUE, 5,
                            "beforeNativeSend", SEND_TO_ADDRESS),
                    new Patch("sendToAddresses", "(JILjava/net/InetAddress;IZ)I", FdSource.THIS_INT_VALUE, 4,
                            "beforeNativeSend", SEND_TO_ADDRESS),
                    new Patch("listen", "(I)V", FdSource.THIS_INT_VALUE, -1, "beforeNativeListen", LISTEN))),
            new Shape("/channel/epoll/LinuxSocket", "Netty epoll datagram batches (sendmmsg)",
                    "/channel/unix/Socket", List.of(new Patch("sendmmsg",
                    "([L%s/channel/epoll/NativeDatagramPacketArray$NativeDatagramPacket;II)I", FdSource.THIS_INT_VALUE, 1,
                    "beforeNativeSendBatch", SEND_BATCH))),
            new Shape("/channel/uring/AbstractIoUringChannel", "Netty io_uring connect (ring operation)", null,
                    List.of(new Patch("submitConnect", "(Ljava/net/InetSocketAddress;)V", FdSource.THIS_FD_INT_VALUE, 1,
                            "beforeNativeConnect", CONNECT))),
            new Shape("/channel/uring/MsgHdrMemory", "Netty io_uring unconnected UDP send (sendmsg ring operation)",
                    null, List.of(new Patch("setSocketAddress",
                    "(L%s/channel/uring/LinuxSocket;Ljava/net/InetSocketAddress;)I", FdSource.ARG1_INT_VALUE, 2,
                    "beforeNativeSend", CONNECT))),
            // Netty 4.1's separate incubator io_uring transport (io.netty.incubator.channel.uring): its connect and
            // sends are ring operations ifpin does not patch. No patches: loading it is reported as not covered.
            new Shape("/channel/uring/AbstractIOUringChannel", "Netty incubator io_uring transport (4.1)", null,
                    List.of()));

    /** Packages where Netty copies usually live, checked on the system class path at startup. */
    private static final List<String> WELL_KNOWN_PREFIXES = List.of("io/netty", "io/grpc/netty/shaded/io/netty");

    private NativeTransportInstrumentation() {
    }

    /** What the startup line lists. */
    public static String description() {
        return "Netty epoll/io_uring (any package prefix)";
    }

    /** The one transformer, made at the first class {@link NettyClassFilter} passes on (class initialisation). */
    private static final Transformer TRANSFORMER = new Transformer();

    /** {@link NettyClassFilter}'s class, transformed if it is one of Netty's shapes; else null. */
    static byte[] transform(Module module, ClassLoader loader, String className, ProtectionDomain domain,
                            byte[] classFile) {
        return TRANSFORMER.transform(module, loader, className, null, domain, classFile);
    }

    /** The class-name suffixes this patches; each contains {@link NettyClassFilter#CHANNEL} (a test checks). */
    static List<String> suffixes() {
        List<String> suffixes = new ArrayList<>();
        for (Shape shape : SHAPES) {
            suffixes.add(shape.suffix());
        }
        return suffixes;
    }

    /**
     * The Netty copies on the system class path, checked without loading them (their class files are read and their
     * shape checked): one entry per copy, {@code covered: <prefix>} or {@code not covered: <prefix>: <why>}.
     */
    public static List<String> scanSystemClassPath() {
        List<String> found = new ArrayList<>();
        ClassLoader system = ClassLoader.getSystemClassLoader();
        for (String prefix : WELL_KNOWN_PREFIXES) {
            String resource = prefix + SHAPES.get(0).suffix() + ".class";
            try (InputStream in = system.getResourceAsStream(resource)) {
                if (in == null) {
                    continue;
                }
                String className = prefix + SHAPES.get(0).suffix();
                List<String> problems = new ArrayList<>();
                check(SHAPES.get(0), prefix, new ClassReader(in.readAllBytes()), problems);
                found.add((problems.isEmpty() ? "covered: " : "not covered: ") + className.replace('/', '.')
                        + (problems.isEmpty() ? "" : " (" + String.join("; ", problems) + ")"));
            } catch (IOException | RuntimeException e) {
                found.add("not covered: " + prefix.replace('/', '.') + " (cannot read its class file: " + e + ")");
            }
        }
        return found;
    }

    /** The patches of {@code shape} that {@code reader}'s class cannot take, as problems; empty when all fit. */
    private static Set<Patch> check(Shape shape, String prefix, ClassReader reader, List<String> problems) {
        if (shape.superSuffix() != null && !(prefix + shape.superSuffix()).equals(reader.getSuperName())) {
            problems.add("extends " + reader.getSuperName() + ", expected " + prefix + shape.superSuffix());
        }
        Set<String> methods = new HashSet<>();
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if ((access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT)) == 0) {
                    methods.add(name + descriptor);
                }
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        Set<Patch> fitting = new LinkedHashSet<>();
        for (Patch patch : shape.patches()) {
            String descriptor = patch.descriptor().replace("%s", prefix);
            if (!methods.contains(patch.method() + descriptor)) {
                problems.add("no method " + patch.method() + descriptor);
                continue;
            }
            if (patch.fdSource() == FdSource.THIS_FD_INT_VALUE && !methods.contains("fd()L" + prefix + "/channel/unix/FileDescriptor;")) {
                problems.add("no method fd() returning " + prefix + "/channel/unix/FileDescriptor");
                continue;
            }
            fitting.add(patch);
        }
        return problems.isEmpty() ? fitting : Set.of();
    }

    private static final class Transformer implements ClassFileTransformer {

        /** Loaders already checked for the bridge, with the answer; its lock is held for a get or a put only. */
        private final Map<ClassLoader, Boolean> seesBridge = Collections.synchronizedMap(new WeakHashMap<>());
        /** Reported once per class name and loader (a class loaded by two loaders is two classes). */
        private final Set<String> reported = new HashSet<>();

        @Override
        public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                                ProtectionDomain domain, byte[] classFile) {
            if (className == null || loader == null || redefined != null) {
                return null;
            }
            for (Shape shape : SHAPES) {
                if (className.endsWith(shape.suffix()) && className.length() > shape.suffix().length()) {
                    try {
                        return patch(shape, loader, className, classFile);
                    } catch (Throwable t) {
                        report(loader, className, "ERROR", "not covered: " + className.replace('/', '.') + " ("
                                + shape.description() + "): instrumenting it failed (" + t + "); sockets opened"
                                + " through it are NOT pinned. Please report this with your Netty version.");
                        return null;
                    }
                }
            }
            return null;
        }

        private byte[] patch(Shape shape, ClassLoader loader, String className, byte[] classFile) {
            String prefix = className.substring(0, className.length() - shape.suffix().length());
            ClassReader reader = new ClassReader(classFile);
            List<String> problems = new ArrayList<>();
            String name = className.replace('/', '.');
            if (shape.patches().isEmpty()) {
                report(loader, className, "ERROR", "not covered: " + name + " (" + shape.description() + "): ifpin"
                        + " does not patch this transport, so the sockets it opens are NOT pinned. Fix: use Netty"
                        + " 4.2's io_uring transport (io.netty.channel.uring) or the epoll transport.");
                return null;
            }
            Set<Patch> patches = check(shape, prefix, reader, problems);
            if (!problems.isEmpty()) {
                report(loader, className, "ERROR", "not covered: " + name + " (" + shape.description() + "): it does"
                        + " not have the shape ifpin patches (" + String.join("; ", problems) + "), so sockets this"
                        + " Netty copy opens are NOT pinned. Please report this with your Netty version.");
                return null;
            }
            if (!canSeeBridge(loader)) {
                report(loader, className, "ERROR", "not covered: " + name + " (" + shape.description() + "): its"
                        + " class loader " + loader + " does not delegate to the bootstrap loader, where ifpin's"
                        + " bridge lives, so sockets this Netty copy opens are NOT pinned.");
                return null;
            }
            ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
            int version = reader.readUnsignedShort(6); // the class file's major version
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                @Override
                public MethodVisitor visitMethod(int access, String methodName, String descriptor, String signature,
                                                 String[] exceptions) {
                    MethodVisitor visitor = super.visitMethod(access, methodName, descriptor, signature, exceptions);
                    for (Patch patch : patches) {
                        if (patch.method().equals(methodName) && patch.descriptor().replace("%s", prefix).equals(descriptor)
                                && (access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT)) == 0) {
                            return new CallAtEntry(visitor, patch, className, prefix, version);
                        }
                    }
                    return visitor;
                }
            }, 0);
            report(loader, className, "DEBUG", "patched " + name + " (" + shape.description() + ") in " + loader);
            return writer.toByteArray();
        }

        /**
         * Whether classes of {@code loader} resolve {@code PinBridge} to the bootstrap copy. Asked once per loader
         * (two threads may both ask it the first time; they get the same answer). No lock is held while the loader
         * is asked: this runs inside class loading, often with the loader's own lock held, and a loader that
         * delegates to another loader, busy in this transformer for its own Netty copy, would deadlock on a lock
         * held across the lookup. Loading a bootstrap class by name cannot recurse into this transformer's targets.
         */
        private boolean canSeeBridge(ClassLoader loader) {
            Boolean known = seesBridge.get(loader);
            if (known != null) {
                return known;
            }
            boolean sees;
            try {
                sees = Class.forName("io.ifpin.bridge.PinBridge", false, loader).getClassLoader() == null;
            } catch (ClassNotFoundException | LinkageError e) {
                sees = false;
            }
            seesBridge.put(loader, sees);
            return sees;
        }

        private void report(ClassLoader loader, String className, String level, String message) {
            synchronized (this) {
                if (!reported.add(className + "@" + System.identityHashCode(loader))) {
                    return;
                }
            }
            switch (level) {
                case "ERROR" -> IfpinLog.error(message);
                default -> IfpinLog.debug(message);
            }
        }
    }

    /**
     * Inserts {@code PinBridge.<method>(fd[, address[, port]])} at the method's entry. Reading the descriptor calls
     * Netty's own code ({@code intValue()}, {@code fd()}), so that part runs in a {@code try} whose handler hands what
     * it throws to {@code PinBridge.nativeDescriptorFailed} (reported, the method then runs as Netty wrote it); the
     * bridge call itself is outside the {@code try}, so a refusal (deny, fail-closed) still reaches the caller. The
     * frames the handler and the join point need are the method's initial frame (nothing but the arguments exists
     * yet), so they are written here, and only the maximum stack size is recomputed.
     */
    private static final class CallAtEntry extends MethodVisitor {

        /** Stack map frames exist from class file version 50 (Java 6). */
        private static final int FRAMES_SINCE = 50;

        private final Patch patch;
        private final String className;
        private final String prefix;
        private final boolean frames;

        CallAtEntry(MethodVisitor next, Patch patch, String className, String prefix, int classVersion) {
            super(Opcodes.ASM9, next);
            this.patch = patch;
            this.className = className;
            this.prefix = prefix;
            this.frames = classVersion >= FRAMES_SINCE;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            Label readStart = new Label();
            Label readEnd = new Label();
            Label readFailed = new Label();
            Label done = new Label();
            super.visitTryCatchBlock(readStart, readEnd, readFailed, "java/lang/Throwable");
            super.visitLabel(readStart);
            pushArguments();
            super.visitLabel(readEnd);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, patch.bridgeMethod(), patch.bridgeDescriptor(), false);
            super.visitJumpInsn(Opcodes.GOTO, done);
            super.visitLabel(readFailed);
            if (frames) {
                super.visitFrame(Opcodes.F_SAME1, 0, null, 1, new Object[] {"java/lang/Throwable"});
            }
            super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "nativeDescriptorFailed", "(Ljava/lang/Throwable;)V",
                    false);
            super.visitLabel(done);
            if (frames) {
                super.visitFrame(Opcodes.F_SAME, 0, null, 0, null);
            }
            // The method's own first instruction may carry a frame (a loop at entry); two frames cannot share an offset.
            super.visitInsn(Opcodes.NOP);
        }

        /** The descriptor (from Netty's own methods), then the destination arguments, as the bridge method takes them. */
        private void pushArguments() {
            String fileDescriptor = prefix + "/channel/unix/FileDescriptor";
            switch (patch.fdSource()) {
                case THIS_INT_VALUE -> {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, className, "intValue", "()I", false);
                }
                case THIS_FD_INT_VALUE -> {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, className, "fd", "()L" + fileDescriptor + ";", false);
                    super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, fileDescriptor, "intValue", "()I", false);
                }
                case ARG1_INT_VALUE -> {
                    super.visitVarInsn(Opcodes.ALOAD, 1);
                    super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, prefix + "/channel/uring/LinuxSocket", "intValue",
                            "()I", false);
                }
            }
            if (patch.bridgeDescriptor().equals(SEND_BATCH)) {
                super.visitVarInsn(Opcodes.ALOAD, 1); // the packet array (an Object[] to the bridge)
                super.visitVarInsn(Opcodes.ILOAD, 2); // offset
                super.visitVarInsn(Opcodes.ILOAD, 3); // count
            } else if (patch.addressSlot() >= 0) {
                super.visitVarInsn(Opcodes.ALOAD, patch.addressSlot());
                if (patch.bridgeDescriptor().equals(SEND_TO_ADDRESS)) {
                    super.visitVarInsn(Opcodes.ILOAD, patch.addressSlot() + 1); // the port follows the InetAddress
                }
            }
        }
    }
}
