package io.ifpin.audit;

import io.ifpin.log.Json;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One decision, as one line of the audit log. Built on the socket's thread from values already at hand; turned into
 * JSON on the writer's thread.
 *
 * @param epochMillis when the decision was made
 * @param rule        the rule's name, or {@code (default)} for default-action
 * @param action      {@code pin}, {@code allow} or {@code deny}
 * @param protocol    {@code tcp} or {@code udp}
 * @param local       the socket's local address before the connect or send ({@code ip:port})
 * @param remote      the destination ({@code ip:port})
 * @param host        the name the application asked for, or null for a literal address
 * @param iface       the interface pinned to, or null
 * @param result      {@code pinned}, {@code already-pinned}, {@code allowed}, {@code denied}, {@code error} (the
 *                    socket proceeds, fail-open) or {@code refused} (fail-closed); in {@code ifpin.mode = observe},
 *                    where no socket is touched: {@code would-pin}, {@code would-allow}, {@code would-deny}, or
 *                    {@code would-refuse} (an internal error under a fail-closed rule)
 * @param errno       for {@code error} and {@code refused}: e.g. {@code EPERM}, or {@code internal}
 * @param source      the source address the rule binds a socket of this destination's family to, or null (no key)
 * @param mark        the rule's firewall mark, or null (no key)
 */
public record AuditRecord(long epochMillis, String rule, String action, String protocol, String local, String remote,
                          String host, String iface, String result, String errno, String source, Long mark) {

    /** A decision of a rule without a source or a mark. */
    public AuditRecord(long epochMillis, String rule, String action, String protocol, String local, String remote,
                       String host, String iface, String result, String errno) {
        this(epochMillis, rule, action, protocol, local, remote, host, iface, result, errno, null, null);
    }

    String toJson() {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.ofEpochMilli(epochMillis).toString());
        line.put("rule", rule);
        line.put("action", action);
        line.put("protocol", protocol);
        line.put("local", local);
        line.put("remote", remote);
        line.put("host", host);
        line.put("interface", iface);
        line.put("result", result);
        line.put("errno", errno);
        if (source != null) {
            line.put("source", source);
        }
        if (mark != null) {
            line.put("mark", mark);
        }
        return Json.write(line);
    }
}
