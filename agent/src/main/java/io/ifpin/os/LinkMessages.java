package io.ifpin.os;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Parses what a {@link LinkEvents} socket receives: {@code RTM_NEWLINK} / {@code RTM_DELLINK} messages
 * (struct ifinfomsg, {@code IFLA_IFNAME}, {@code IFLA_OPERSTATE}) and the {@code NLMSG_DONE} that ends a dump. Pure:
 * tested on bytes recorded from a kernel (LinkMessagesTest).
 */
public final class LinkMessages {

    /** linux/if.h: net_device_flags */
    public static final int IFF_UP = 0x1;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_LOWER_UP = 0x10000;
    /** linux/rtnetlink.h */
    static final int RTM_DELLINK = 17;
    /** linux/if_link.h */
    static final int IFLA_OPERSTATE = 16;
    /** linux/if.h: enum IF_OPER_*, as {@code ip link} prints them */
    private static final String[] OPERSTATES = {"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING",
        "DORMANT", "UP"};

    private LinkMessages() {
    }

    /** Up, running, with carrier: see {@link Link#usable()}. */
    public static boolean usable(int flags) {
        return (flags & (IFF_UP | IFF_RUNNING | IFF_LOWER_UP)) == (IFF_UP | IFF_RUNNING | IFF_LOWER_UP);
    }

    /**
     * One link as a message describes it.
     *
     * @param deleted   {@code RTM_DELLINK}: the link is gone
     * @param flags     ifi_flags ({@link #IFF_UP}, {@link #IFF_RUNNING}, {@link #IFF_LOWER_UP})
     * @param operstate {@code IFLA_OPERSTATE} as {@code ip link} prints it, or {@code UNKNOWN}
     */
    public record Link(boolean deleted, int index, String name, int flags, String operstate) {

        /**
         * Up and able to carry traffic: administratively up ({@code IFF_UP}) and operationally up
         * ({@code IFF_RUNNING}: operstate UP, or UNKNOWN as tun and dummy devices report it, which the kernel counts
         * as up; net/core/dev.c {@code dev_get_flags}, {@code netif_oper_up}) with carrier ({@code IFF_LOWER_UP}).
         */
        public boolean usable() {
            return !deleted && LinkMessages.usable(flags);
        }

        /** Why it is not usable, for log lines: {@code down}, {@code up without carrier (LOWERLAYERDOWN)}. */
        public String state() {
            if (deleted) {
                return "gone";
            }
            if ((flags & IFF_UP) == 0) {
                return "down";
            }
            return usable() ? "up" : "up without carrier (" + operstate + ")";
        }
    }

    /**
     * Appends the links of the messages in {@code buffer[0, length)} to {@code links}; returns true when the
     * datagram ends a dump whose request had sequence number {@code dumpSequence} ({@code NLMSG_DONE}, or an
     * {@code NLMSG_ERROR} for it). Malformed messages end the parse of this datagram.
     */
    public static boolean parse(byte[] buffer, int length, int dumpSequence, List<Link> links) {
        ByteBuffer in = ByteBuffer.wrap(buffer, 0, length).order(ByteOrder.nativeOrder());
        boolean dumpDone = false;
        int offset = 0;
        while (offset + NetlinkRoutes.NLMSG_HDRLEN <= length) {
            int messageLength = in.getInt(offset);
            int type = in.getShort(offset + 4) & 0xffff;
            int seq = in.getInt(offset + 8);
            if (messageLength < NetlinkRoutes.NLMSG_HDRLEN || offset + messageLength > length) {
                break;
            }
            int body = offset + NetlinkRoutes.NLMSG_HDRLEN;
            int end = offset + messageLength;
            if ((type == NetlinkRoutes.NLMSG_DONE || type == NetlinkRoutes.NLMSG_ERROR) && seq == dumpSequence) {
                dumpDone = true;
            } else if ((type == NetlinkRoutes.RTM_NEWLINK || type == RTM_DELLINK)
                    && end - body >= NetlinkRoutes.IFINFOMSG_LEN) {
                // struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }
                int index = in.getInt(body + 4);
                int flags = in.getInt(body + 8);
                int attributes = body + NetlinkRoutes.IFINFOMSG_LEN;
                byte[] name = NetlinkRoutes.attribute(buffer, attributes, end, NetlinkRoutes.IFLA_IFNAME);
                byte[] operstate = NetlinkRoutes.attribute(buffer, attributes, end, IFLA_OPERSTATE);
                if (name != null) {
                    links.add(new Link(type == RTM_DELLINK, index, cString(name), flags,
                            operstate == null || operstate.length < 1 ? "UNKNOWN" : operstate(operstate[0] & 0xff)));
                }
            }
            offset += (messageLength + 3) & ~3;
        }
        return dumpDone;
    }

    private static String operstate(int value) {
        return value < OPERSTATES.length ? OPERSTATES[value] : String.valueOf(value);
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.US_ASCII);
    }
}
