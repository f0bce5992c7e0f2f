import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A consumer that is not kafkajs, for the tests: reads one topic from its beginning to its end with the official Java
 * client and prints each record as a JSON line: {"partition","offset","key","value","headers":[[name, value]...]}.
 * Run with single-file source launch: java -cp <kafka-clients and its jars> TopicDump.java <brokers> <topic>
 * <read_committed|read_uncommitted> <timeout ms>. The end is the one the isolation level sees (for read_committed,
 * the last stable offset), taken once at the start. No consumer group: nothing is committed.
 */
public class TopicDump {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, args[2]);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "test-java-dump");
    long deadline = System.currentTimeMillis() + Long.parseLong(args[3]);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(args[1], Duration.ofMillis(Long.parseLong(args[3])))
          .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      StringBuilder out = new StringBuilder();
      // A position past the last record also counts: commit markers take offsets but are never returned.
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException("timed out before the end " + end);
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.append("{\"partition\":").append(r.partition()).append(",\"offset\":").append(r.offset());
          out.append(",\"key\":").append(json(r.key())).append(",\"value\":").append(json(r.value()));
          out.append(",\"headers\":[");
          String sep = "";
          for (Header h : r.headers()) {
            out.append(sep).append('[').append(json(h.key().getBytes(StandardCharsets.UTF_8))).append(',');
            out.append(json(h.value())).append(']');
            sep = ",";
          }
          out.append("]}\n");
        }
      }
      System.out.print(out);
    }
  }

  private static String json(byte[] bytes) {
    if (bytes == null) return "null";
    String s = new String(bytes, StandardCharsets.UTF_8);
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }
}
