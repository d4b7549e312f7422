package io.peerz.gpu.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Optional;

/** The data plane's small JSON bodies: an object built field by field, and the error body. */
final class JsonBody {
  private static final JsonFactory JSON = new JsonFactory();

  private final StringWriter text = new StringWriter();
  private final JsonGenerator out;

  JsonBody() {
    try {
      out = JSON.createGenerator(text);
      out.writeStartObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonBody field(String name, String value) {
    try {
      out.writeStringField(name, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  JsonBody field(String name, long value) {
    try {
      out.writeNumberField(name, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  JsonBody field(String name, boolean value) {
    try {
      out.writeBooleanField(name, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** The object's text. */
  String end() {
    try {
      out.writeEndObject();
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /** {@code {"error": {"code": "data/N", "message": "..."}}}. */
  static String error(String code, String message) {
    StringWriter text = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(text)) {
      g.writeStartObject();
      g.writeObjectFieldStart("error");
      g.writeStringField("code", code);
      g.writeStringField("message", message);
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /** The code and message of an error body, or empty when {@code body} is not one. */
  static Optional<ErrorBody> parseError(String body) {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("error".equals(field) && value == JsonToken.START_OBJECT) {
          String code = null;
          String message = null;
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String inner = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_STRING && "code".equals(inner)) {
              code = p.getText();
            } else if (v == JsonToken.VALUE_STRING && "message".equals(inner)) {
              message = p.getText();
            } else {
              p.skipChildren();
            }
          }
          return code == null ? Optional.empty() : Optional.of(new ErrorBody(code, message));
        }
        p.skipChildren();
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** What an error body says. */
  record ErrorBody(String code, String message) {}
}
