package io.ifpin.instrument;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The patch of this JDK's InetAddress: the bridge is asked first; the rest of the method is unchanged. */
class NameServiceInstrumentationTest {

    private static byte[] inetAddressBytes() throws Exception {
        try (InputStream in = Object.class.getResourceAsStream("/java/net/InetAddress.class")) {
            return in.readAllBytes();
        }
    }

    private static List<String> firstCalls(byte[] classFile) {
        List<String> calls = new ArrayList<>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if (!name.equals("getAddressesFromNameService")) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                        if (calls.size() < 2) {
                            calls.add(owner + "." + method);
                        }
                    }
                };
            }
        }, ClassReader.EXPAND_FRAMES); // expanding also checks that the inserted frame reads back
        return calls;
    }

    @Test
    void theBridgeIsAskedBeforeTheJdksResolver() throws Exception {
        byte[] original = inetAddressBytes();
        byte[] patched = NameServiceInstrumentation.patch(original);
        assertNotNull(patched, "getAddressesFromNameService(String...) exists on " + Runtime.version());
        assertEquals("io/ifpin/bridge/PinBridge.lookupName", firstCalls(patched).get(0));
        assertEquals(firstCalls(original).get(0), firstCalls(patched).get(1), "then the method's own code");
    }

    @Test
    void aClassWithoutTheMethodIsLeftAlone() throws Exception {
        try (InputStream in = Object.class.getResourceAsStream("/java/net/Inet4Address.class")) {
            assertNull(NameServiceInstrumentation.patch(in.readAllBytes()));
        }
    }
}
