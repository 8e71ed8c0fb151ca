package io.ifpin.config;

import io.ifpin.rules.Rule;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** What identifies a loaded config for operators: a short hash of the file's text, and its rule names. */
public final class ConfigVersion {
    private ConfigVersion() {
    }

    /** The first 12 hex digits of the SHA-256 of {@code text}: {@code sha256sum ifpin.conf | cut -c1-12}. */
    public static String of(byte[] text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text)).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public static List<String> ruleNames(IfpinConfig config) {
        List<String> names = new ArrayList<>();
        for (Rule rule : config.rules().rules()) {
            names.add(rule.name());
        }
        names.add(config.defaultRule().name());
        return names;
    }
}
