/**
 * The progress npm start and .ci/run print while Maven fetches the Kafka jars: Maven's transfer lines are
 * counted into one summary line instead of hundreds of lines (or, before, nothing for minutes).
 */
import { DownloadTally } from '../../deploy/local/kafka/local-kafka';

describe('Kafka jar download progress', () => {
  it("sums Maven's downloaded files and sizes, and reports only when something new arrived", () => {
    const tally = new DownloadTally();
    for (const line of [
      '[INFO] Downloading from central: https://repo.maven.apache.org/maven2/org/apache/kafka/kafka_2.13/3.9.2/kafka_2.13-3.9.2.pom',
      '[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/apache/kafka/kafka_2.13/3.9.2/kafka_2.13-3.9.2.pom (3.2 kB at 41 kB/s)',
      '[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/apache/kafka/kafka_2.13/3.9.2/kafka_2.13-3.9.2.jar (6.4 MB at 9.1 MB/s)',
      '[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/scala-lang/scala-library/2.13.15/scala-library-2.13.15.jar (5.9 MB at 8.8 MB/s)',
      '[INFO] Copying kafka_2.13-3.9.2.jar to /tmp/libs/kafka_2.13-3.9.2.jar',
    ]) {
      tally.line(line);
    }
    expect(tally.changed()).toBe(true);
    expect(tally.summary()).toBe('downloading Kafka jars: 3 files, 12.3 MB');
    expect(tally.changed()).toBe(false);
  });
});
