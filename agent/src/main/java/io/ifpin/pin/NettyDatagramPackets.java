package io.ifpin.pin;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Reads the destination of one of Netty epoll's {@code NativeDatagramPacketArray.NativeDatagramPacket}s (any package
 * prefix), which Netty fills from the {@code DatagramPacket}'s recipient before {@code sendmmsg}: {@code
 * recipientAddr} (16 bytes: IPv6, or IPv4 as an IPv4-mapped address), {@code recipientAddrLen} (0 when the channel is
 * connected and the packet has no destination) and {@code recipientPort}. The fields are private, in the
 * application's class loader; they are looked up once per class.
 */
final class NettyDatagramPackets {

    private static final ClassValue<Field[]> FIELDS = new ClassValue<>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            try {
                Field[] fields = {type.getDeclaredField("recipientAddr"), type.getDeclaredField("recipientAddrLen"),
                        type.getDeclaredField("recipientPort")};
                for (Field field : fields) {
                    field.setAccessible(true);
                }
                return fields;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return new Field[0];
            }
        }
    };

    private NettyDatagramPackets() {
    }

    /**
     * The packet's destination, or null when it has none (a connected channel).
     *
     * @throws ReflectiveOperationException when the object does not have the fields Netty 4.1/4.2 have
     */
    static InetSocketAddress recipient(Object packet) throws ReflectiveOperationException {
        if (packet == null) {
            return null;
        }
        Field[] fields = FIELDS.get(packet.getClass());
        if (fields.length == 0) {
            throw new NoSuchFieldException(packet.getClass().getName() + ".recipientAddr/recipientAddrLen/"
                    + "recipientPort");
        }
        byte[] address = (byte[]) fields[0].get(packet);
        int length = fields[1].getInt(packet);
        if (length == 0 || address == null) {
            return null;
        }
        try {
            // InetAddress.getByAddress turns an IPv4-mapped address into an Inet4Address, as the JDK's sockets see it.
            return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOf(address, Math.min(length,
                    address.length))), fields[2].getInt(packet));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("recipientAddrLen " + length, e); // neither 4 nor 16 bytes
        }
    }
}
