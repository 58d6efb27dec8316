package dev.lanes.runner.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.Message;
import dev.lanes.runner.publish.PublishRequests.BadRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublishRequestsTest {

  private static List<Message> body(String json) throws BadRequest {
    return PublishRequests.parseBody(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void jsonContentIsStoredAsJsonAndStringContentAsText() throws Exception {
    assertThat(body("{\"content\": {\"data\": {\"order_id\": 7}}}").get(0).payloadAsString())
        .isEqualTo("{\"data\":{\"order_id\":7}}");
    assertThat(body("{\"content\": \"plain \\\"text\\\"\"}").get(0).payloadAsString())
        .isEqualTo("plain \"text\"");
    assertThat(body("{\"content\": [1, 2]}").get(0).payloadAsString()).isEqualTo("[1,2]");
  }

  @Test
  void keyHeadersAndSchedulingBecomeMessageFields() throws Exception {
    Message m =
        body("{\"content\": 1, \"key\": 35432, \"headers\": {\"trace\": \"t-1\"}, \"deliverAt\": 1767225600}")
            .get(0);
    assertThat(m.key()).isEqualTo("35432");
    assertThat(m.headers()).containsEntry("trace", "t-1").containsEntry("deliverAt", "1767225600");
    assertThat(body("{\"content\": 1, \"delay\": \"5s\"}").get(0).headers())
        .containsEntry("delay", "5s");
  }

  @Test
  void anArrayIsABatchInOrder() throws Exception {
    assertThat(body("[{\"content\": \"a\"}, {\"content\": \"b\"}, {\"content\": \"c\"}]"))
        .extracting(Message::payloadAsString)
        .containsExactly("a", "b", "c");
  }

  @Test
  void badRequestsNameTheMessageAndTheProblem() {
    assertThatThrownBy(() -> body("{\"key\": \"k\"}"))
        .hasMessage("the message: 'content' is required");
    assertThatThrownBy(() -> body("[{\"content\": 1}, {\"content\": 2, \"colour\": 3}]"))
        .hasMessageStartingWith("message 2: unknown field 'colour'");
    assertThatThrownBy(() -> body("{\"content\": 1, \"key\": {\"a\": 1}}"))
        .hasMessage("the message: 'key' must be a string or a number");
    assertThatThrownBy(() -> body("{\"content\": 1, \"headers\": {\"deliverAt\": \"x\"}}"))
        .hasMessageContaining("give 'deliverAt' as a field of the message");
    assertThatThrownBy(() -> body("{\"content\": ")).hasMessageStartingWith("malformed JSON");
    assertThatThrownBy(() -> body("[]")).hasMessage("the array is empty");
    assertThatThrownBy(() -> body("[1]")).hasMessage("the array holds only message objects");
    assertThatThrownBy(() -> body("{\"content\": 1} {\"content\": 2}"))
        .hasMessage("nothing may follow the JSON value");
    assertThatThrownBy(() -> body("\"text\""))
        .hasMessage("the body is a message object or an array of them");
  }

  @Test
  void aLineIsOneObject() throws Exception {
    assertThat(PublishRequests.parseLine("{\"content\": {\"a\": 1}}", "line 1").payloadAsString())
        .isEqualTo("{\"a\":1}");
    assertThatThrownBy(() -> PublishRequests.parseLine("[{\"content\": 1}]", "line 4"))
        .isInstanceOf(BadRequest.class)
        .hasMessage("line 4: expected a JSON object");
  }
}
