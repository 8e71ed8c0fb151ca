package io.ifpin.demo.cases;

import io.ifpin.demo.Addresses;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL JDBC driver ({@code org.postgresql}), which connects with a plain {@code Socket}. PeerServer's fake
 * PostgreSQL port answers the startup message with an error whose message is the peer it saw, so the expected
 * outcome here is that {@code getConnection} fails with that text.
 */
public final class PostgresJdbcCase implements SocketCase {

    private static final Pattern PEER = Pattern.compile("PEER (\\S+) (\\d+)");

    @Override
    public String name() {
        return "postgresql-jdbc";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("user", "legacy");
        properties.setProperty("password", "legacy");
        properties.setProperty("sslmode", "disable");
        properties.setProperty("gssEncMode", "disable");
        properties.setProperty("connectTimeout", String.valueOf(Ports.IO_TIMEOUT_MILLIS / 1000));
        properties.setProperty("socketTimeout", String.valueOf(Ports.IO_TIMEOUT_MILLIS / 1000));
        String url = "jdbc:postgresql://" + Addresses.urlHost(host) + ":" + Ports.POSTGRES + "/legacy";
        try (Connection ignored = DriverManager.getConnection(url, properties)) {
            throw new IOException("the fake PostgreSQL server accepted a login; it never should");
        } catch (SQLException e) {
            Matcher peer = PEER.matcher(String.valueOf(e.getMessage()));
            if (!peer.find()) {
                throw e;
            }
            return peer.group(1) + " " + peer.group(2);
        }
    }
}
