// Unit tests of greekbook::io JSON helpers: located parse errors and typed field access whose
// messages name the source, the JSON path and the offending value.
#include "greekbook/io/json_fields.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace {
using greekbook::io::brief;
using greekbook::io::Json;
using greekbook::io::JsonPath;
using greekbook::io::optional_number;
using greekbook::io::optional_string;
using greekbook::io::parse_json;
using greekbook::io::require_field;
using greekbook::io::require_number;
using greekbook::io::require_string;

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

template <class R>
std::string error_of(const R& r) {
  EXPECT_FALSE(r.has_value());
  return r ? std::string() : r.error().message;
}

const JsonPath kPos{"book.json", "accounts[0].positions[2]"};

TEST(JsonPath, KeyIndexAndWhere) {
  const JsonPath root{"book.json", ""};
  EXPECT_EQ(root.where(), "book.json");
  const JsonPath p = root.key("accounts").index(0).key("positions").index(2).key("quantity");
  EXPECT_EQ(p.path, "accounts[0].positions[2].quantity");
  EXPECT_EQ(p.where(), "book.json: accounts[0].positions[2].quantity");
  EXPECT_EQ(p.source, "book.json");
}

TEST(ParseJson, ValidDocument) {
  const auto r = parse_json(R"({"a": [1, 2.5, "x"], "b": {"c": null}})", "doc.json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ((*r)["a"][1].get<double>(), 2.5);
  EXPECT_TRUE((*r)["b"]["c"].is_null());
}

TEST(ParseJson, ErrorReportsLineAndColumn) {
  // Line 3 is `  "b": ]`; the ']' is its 8th character.
  const std::string e = error_of(parse_json("{\n  \"a\": 1,\n  \"b\": ]\n}\n", "market.json"));
  EXPECT_TRUE(contains(e, "market.json:3:8: invalid JSON")) << e;
  // An error on the first line, at its 9th character (the 'x').
  const std::string first = error_of(parse_json(R"({"a": 1 x})", "one.json"));
  EXPECT_TRUE(contains(first, "one.json:1:9:")) << first;
}

TEST(ParseJson, TruncatedAndEmptyInput) {
  const std::string truncated = error_of(parse_json("{\n\"a\": [1,\n2", "cut.json"));
  EXPECT_TRUE(contains(truncated, "cut.json:3:")) << truncated;
  const std::string empty = error_of(parse_json("", "empty.json"));
  EXPECT_TRUE(contains(empty, "empty.json:1:1: invalid JSON")) << empty;
}

TEST(ParseJson, NumberOverflowIsAnErrorNotAnException) {
  // 1e999 is syntactically valid JSON but overflows a double; nlohmann throws out_of_range (not
  // parse_error) for it, which must still come back as a located Error.
  greekbook::Result<Json> r = Json();
  ASSERT_NO_THROW(r = parse_json("{\n  \"quantity\": 1e999\n}", "big.json"));
  const std::string e = error_of(r);
  EXPECT_TRUE(contains(e, "big.json: invalid JSON")) << e;
  EXPECT_TRUE(contains(e, "1e999")) << e;
}

TEST(Brief, QuotesStringsAndCutsLongValues) {
  EXPECT_EQ(brief(Json("abc")), "\"abc\"");
  EXPECT_EQ(brief(Json(5)), "5");
  EXPECT_EQ(brief(Json(nullptr)), "null");
  const std::string long_value = brief(Json(std::string(200, 'x')));
  EXPECT_EQ(long_value.size(), 60u);
  EXPECT_EQ(long_value.substr(57), "...");
}

TEST(RequireField, MissingFieldAndNonObject) {
  const Json obj = {{"a", 1}};
  const auto ok = require_field(obj, "a", kPos);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(**ok, Json(1));
  const std::string missing = error_of(require_field(obj, "quantity", kPos));
  EXPECT_EQ(missing, "book.json: accounts[0].positions[2]: missing field 'quantity'");
  const std::string not_obj = error_of(require_field(Json::array({1, 2}), "quantity", kPos));
  EXPECT_TRUE(contains(not_obj, "book.json: accounts[0].positions[2]: expected an object, got [1,2]")) << not_obj;
}

TEST(RequireNumber, AcceptsIntegersAndDoubles) {
  const Json obj = {{"i", -5}, {"d", 0.031}, {"u", 7u}};
  EXPECT_EQ(require_number(obj, "i", kPos).value(), -5.0);
  EXPECT_EQ(require_number(obj, "d", kPos).value(), 0.031);
  EXPECT_EQ(require_number(obj, "u", kPos).value(), 7.0);
}

TEST(RequireNumber, StringNamesPathAndValue) {
  const Json obj = {{"quantity", "5"}};
  const std::string e = error_of(require_number(obj, "quantity", kPos));
  EXPECT_EQ(e, "book.json: accounts[0].positions[2].quantity: expected a number, got \"5\"");
}

TEST(RequireNumber, OtherNonNumbersNamePathAndValue) {
  const Json obj = {{"b", true}, {"n", nullptr}, {"o", {{"x", 1}}}};
  EXPECT_TRUE(contains(error_of(require_number(obj, "b", kPos)), "positions[2].b: expected a number, got true"));
  EXPECT_TRUE(contains(error_of(require_number(obj, "n", kPos)), "positions[2].n: expected a number, got null"));
  EXPECT_TRUE(contains(error_of(require_number(obj, "o", kPos)), "positions[2].o: expected a number, got {\"x\":1}"));
}

TEST(RequireNumber, MissingNamesObjectPathAndField) {
  const std::string e = error_of(require_number(Json::object(), "quantity", kPos));
  EXPECT_EQ(e, "book.json: accounts[0].positions[2]: missing field 'quantity'");
}

TEST(RequireNumber, NonFiniteIsRejected) {
  // JSON text cannot spell NaN or infinity, but a document built in code can hold them.
  const Json obj = {{"nan", std::numeric_limits<double>::quiet_NaN()},
                    {"inf", std::numeric_limits<double>::infinity()}};
  for (const char* key : {"nan", "inf"}) {
    const std::string e = error_of(require_number(obj, key, kPos));
    EXPECT_TRUE(contains(e, std::string("book.json: accounts[0].positions[2].") + key + ": ")) << e;
    EXPECT_TRUE(contains(e, "expected a finite number")) << e;
  }
}

TEST(OptionalNumber, AbsentOrNullIsNulloptOtherwiseChecked) {
  const Json obj = {{"x", 2.5}, {"n", nullptr}, {"s", "2.5"}};
  EXPECT_EQ(optional_number(obj, "x", kPos).value(), 2.5);
  EXPECT_EQ(optional_number(obj, "n", kPos).value(), std::nullopt);
  EXPECT_EQ(optional_number(obj, "absent", kPos).value(), std::nullopt);
  const std::string e = error_of(optional_number(obj, "s", kPos));
  EXPECT_EQ(e, "book.json: accounts[0].positions[2].s: expected a number, got \"2.5\"");
}

TEST(RequireString, TypesAndMessages) {
  const Json obj = {{"instrument", "BTC-PERPETUAL"}, {"id", 42}};
  EXPECT_EQ(require_string(obj, "instrument", kPos).value(), "BTC-PERPETUAL");
  EXPECT_EQ(error_of(require_string(obj, "id", kPos)),
            "book.json: accounts[0].positions[2].id: expected a string, got 42");
  EXPECT_EQ(error_of(require_string(obj, "venue", kPos)), "book.json: accounts[0].positions[2]: missing field 'venue'");
  EXPECT_EQ(optional_string(obj, "absent", kPos).value(), std::nullopt);
  EXPECT_EQ(optional_string(obj, "instrument", kPos).value(), "BTC-PERPETUAL");
  EXPECT_TRUE(contains(error_of(optional_string(obj, "id", kPos)), "positions[2].id: expected a string, got 42"));
}

}  // namespace
