package io.ifpin.nativeaccess;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.util.Map;
import java.util.Optional;

/**
 * The one class of ifpin that calls a restricted method of the Foreign Function API ({@code Linker.downcallHandle}).
 * It is the only class of the named module {@code io.ifpin.nativeaccess}, which {@code io.ifpin.os.NativeAccessModule}
 * defines in a module layer of its own at startup on Java 22+ and grants native access to; the rest of ifpin stays in
 * the unnamed module of its class loader and only invokes the handles returned here (invoking is not restricted). So
 * the JVM prints no warning and {@code --illegal-native-access=deny} does not stop ifpin. See docs/dev/architecture.md,
 * "Native calls".
 *
 * <p>The handles are a fixed table of C library functions with their exact C signatures: the grant does not let any
 * other code link an arbitrary symbol. This class reads nothing but {@code java.base} (a named module does not read
 * ifpin's unnamed module), and it is Java 17 bytecode like the rest of ifpin, so {@code java.lang.foreign} is reached
 * through method handles (not {@code Method.invoke}: on a JDK method, core reflection reads the method's annotations
 * to learn whether it is caller-sensitive, which for {@code downcallHandle} generates annotation proxy classes,
 * tens of milliseconds of a cold JVM that a held socket waits for). Every handle captures {@code errno} as its first
 * argument ({@code Linker.Option.captureCallState}).
 */
public final class LibcDowncalls {

    /** Full-privilege and this class's: {@code downcallHandle} is caller-sensitive, and this module the caller. */
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    /** A C type of the table below, as the JDK's canonical layouts name it ({@code Linker.canonicalLayouts()}). */
    private static final String INT = "int";
    private static final String POINTER = "void*";
    private static final String SIZE = "size_t";

    /**
     * name: {return type, parameter types...}. {@code ssize_t} is returned as {@code size_t}'s layout (the same
     * width; ifpin compares the result with -1).
     */
    private static final Map<String, String[]> SIGNATURES = Map.of(
            "setsockopt", new String[] {INT, INT, INT, INT, POINTER, INT},
            "getsockopt", new String[] {INT, INT, INT, INT, POINTER, POINTER},
            "getsockname", new String[] {INT, INT, POINTER, POINTER},
            "bind", new String[] {INT, INT, POINTER, INT},
            "socket", new String[] {INT, INT, INT, INT},
            "close", new String[] {INT, INT},
            "send", new String[] {SIZE, INT, POINTER, SIZE, INT},
            "recv", new String[] {SIZE, INT, POINTER, SIZE, INT},
            "if_nametoindex", new String[] {INT, POINTER});

    private LibcDowncalls() {
    }

    /**
     * A downcall handle for {@code function}, one of the table above, with {@code errno} captured: the handle takes
     * the capture segment first, then the C arguments (pointers as {@code MemorySegment}).
     *
     * @param critical {@code Linker.Option.critical(true)}: heap segments allowed, no thread-state transition; only
     *                 for calls that never block (the caller decides, with the reason at its call site)
     * @throws IllegalArgumentException for a function not in the table
     */
    public static MethodHandle downcall(String function, boolean critical) throws Throwable {
        String[] signature = SIGNATURES.get(function);
        if (signature == null) {
            throw new IllegalArgumentException("not a function ifpin links: " + function);
        }
        Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
        Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
        Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> lookupClass = Class.forName("java.lang.foreign.SymbolLookup");

        Object linker = LOOKUP.findStatic(linkerClass, "nativeLinker", MethodType.methodType(linkerClass)).invoke();
        Map<?, ?> canonical = (Map<?, ?>) LOOKUP.findVirtual(linkerClass, "canonicalLayouts",
                MethodType.methodType(Map.class)).invoke(linker);
        Object parameters = Array.newInstance(layoutClass, signature.length - 1);
        for (int i = 1; i < signature.length; i++) {
            Array.set(parameters, i - 1, layout(canonical, signature[i]));
        }
        // Varargs methods take their arrays as they are (asFixedArity).
        Object descriptor = LOOKUP.findStatic(descriptorClass, "of", MethodType.methodType(descriptorClass,
                layoutClass, layoutClass.arrayType())).asFixedArity()
                .invoke(layout(canonical, signature[0]), parameters);
        Object options = Array.newInstance(optionClass, critical ? 2 : 1);
        Array.set(options, 0, LOOKUP.findStatic(optionClass, "captureCallState", MethodType.methodType(optionClass,
                String[].class)).asFixedArity().invoke(new String[] {"errno"}));
        if (critical) {
            Array.set(options, 1, LOOKUP.findStatic(optionClass, "critical", MethodType.methodType(optionClass,
                    boolean.class)).invoke(true));
        }
        Object libc = LOOKUP.findVirtual(linkerClass, "defaultLookup", MethodType.methodType(lookupClass))
                .invoke(linker);
        Optional<?> symbol = (Optional<?>) LOOKUP.findVirtual(lookupClass, "find", MethodType.methodType(
                Optional.class, String.class)).invoke(libc, function);
        if (symbol.isEmpty()) {
            throw new UnsupportedOperationException("the C library has no " + function);
        }
        // Caller-sensitive and restricted: looked up with this class's own Lookup, so the caller whose module must
        // have native access is this one (IllegalCallerException, thrown as is, when it has none).
        return (MethodHandle) LOOKUP.findVirtual(linkerClass, "downcallHandle", MethodType.methodType(
                MethodHandle.class, segmentClass, descriptorClass, optionClass.arrayType()))
                .asFixedArity().invoke(linker, symbol.get(), descriptor, options);
    }

    private static Object layout(Map<?, ?> canonical, String cType) {
        Object layout = canonical.get(cType);
        if (layout == null) {
            throw new UnsupportedOperationException("this platform's linker has no layout for " + cType);
        }
        return layout;
    }
}
