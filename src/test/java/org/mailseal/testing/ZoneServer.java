// SPDX-License-Identifier: Apache-2.0
package org.mailseal.testing;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.mailseal.dns.DnsLookup;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Master;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SetResponse;
import org.xbill.DNS.Zone;

/**
 * A real authoritative DNS server for tests, on a loopback address and an ephemeral port, UDP and
 * TCP, answering from dnsjava's own {@link Zone} parsed from zone-file text, so that what we export
 * is read back by an independent parser. UDP answers over 512 bytes are truncated (TC) and the
 * client must retry over TCP, as real long DKIM records make it. The zone can be replaced while it
 * runs, and names can be made to answer SERVFAIL.
 */
public final class ZoneServer implements AutoCloseable {
  private final Name origin;
  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final Set<Name> servfail = ConcurrentHashMap.newKeySet();
  private volatile Zone zone;
  private volatile boolean closed;

  /** Serves {@code zoneText} (records only; SOA and NS are added) for {@code origin}. */
  public ZoneServer(InetAddress address, String origin, String zoneText) throws IOException {
    this.origin = DnsLookup.absolute(origin);
    setZone(zoneText);
    // One port for both: a free UDP port may be taken for TCP, so try again with another.
    DatagramSocket u0 = null;
    ServerSocket t0 = null;
    for (int attempt = 1; t0 == null; attempt++) {
      u0 = new DatagramSocket(new InetSocketAddress(address, 0));
      ServerSocket candidate = new ServerSocket();
      try {
        candidate.bind(new InetSocketAddress(address, u0.getLocalPort()));
        t0 = candidate;
      } catch (BindException taken) {
        candidate.close();
        u0.close();
        if (attempt == 20) {
          throw taken;
        }
      }
    }
    this.udp = u0;
    this.tcp = t0;
    Thread u = new Thread(this::serveUdp, "zone-server-udp");
    Thread t = new Thread(this::serveTcp, "zone-server-tcp");
    u.setDaemon(true);
    t.setDaemon(true);
    u.start();
    t.start();
  }

  public static ZoneServer start(String origin, String zoneText) throws IOException {
    return new ZoneServer(InetAddress.getLoopbackAddress(), origin, zoneText);
  }

  public int port() {
    return udp.getLocalPort();
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(udp.getLocalAddress(), port());
  }

  /** {@code host:port} for {@code --dns-server}. */
  public String hostPort() {
    return udp.getLocalAddress().getHostAddress() + ":" + port();
  }

  /** Replaces what the server answers from. */
  public void setZone(String zoneText) throws IOException {
    String soa =
        "$ORIGIN "
            + origin
            + "\n@ 3600 IN SOA ns1 hostmaster 1 3600 600 86400 300\n"
            + (zoneText.contains(" NS ") ? "" : "@ 3600 IN NS ns1\n");
    List<Record> records = new ArrayList<>();
    try (Master m =
        new Master(
            new ByteArrayInputStream((soa + zoneText).getBytes(StandardCharsets.ISO_8859_1)),
            origin,
            3600)) {
      Record r;
      while ((r = m.nextRecord()) != null) {
        records.add(r);
      }
    }
    this.zone = new Zone(origin, records.toArray(new Record[0]));
  }

  /** Makes every question about {@code name} answer SERVFAIL. */
  public void servfail(String name) {
    servfail.add(DnsLookup.absolute(name));
  }

  byte[] answer(byte[] query, int maxLength) throws IOException {
    Message q = new Message(query);
    Record question = q.getQuestion();
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.addRecord(question, Section.QUESTION);
    if (servfail.contains(question.getName())) {
      r.getHeader().setRcode(Rcode.SERVFAIL);
    } else if (!question.getName().subdomain(origin)) {
      r.getHeader().setRcode(Rcode.REFUSED);
    } else {
      r.getHeader().setFlag(Flags.AA);
      SetResponse sr = zone.findRecords(question.getName(), question.getType());
      if (sr.isNXDOMAIN()) {
        r.getHeader().setRcode(Rcode.NXDOMAIN);
      } else if (sr.isSuccessful()) {
        for (RRset set : sr.answers()) {
          for (Record rec : set.rrs()) {
            r.addRecord(rec, Section.ANSWER);
          }
        }
      }
    }
    return r.toWire(maxLength); // sets TC when the answer does not fit
  }

  private void serveUdp() {
    byte[] buf = new byte[65535];
    while (!closed) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        udp.receive(p);
        byte[] query = java.util.Arrays.copyOf(p.getData(), p.getLength());
        byte[] out = answer(query, 512);
        udp.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
      } catch (SocketException e) {
        return; // closed
      } catch (IOException e) {
        // a malformed query: ignore it, as a server would
      }
    }
  }

  private void serveTcp() {
    while (!closed) {
      try (Socket s = tcp.accept()) {
        s.setSoTimeout(5000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        byte[] query = new byte[in.readUnsignedShort()];
        in.readFully(query);
        byte[] answer = answer(query, 65535);
        out.writeShort(answer.length);
        out.write(answer);
        out.flush();
      } catch (SocketException e) {
        if (closed) {
          return;
        }
      } catch (IOException e) {
        // a broken connection: go on serving
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    udp.close();
    try {
      tcp.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
