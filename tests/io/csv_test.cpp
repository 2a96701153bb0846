// Unit tests of greekbook::io CSV reading/writing, parse_finite_double and write_text_atomic.
#include "greekbook/io/csv.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

namespace {
namespace fs = std::filesystem;
using greekbook::io::append_csv_line;
using greekbook::io::csv_field;
using greekbook::io::CsvTable;
using greekbook::io::parse_csv;
using greekbook::io::parse_finite_double;
using greekbook::io::read_text;
using greekbook::io::write_text_atomic;
using Fields = std::vector<std::string>;

CsvTable parse_ok(std::string_view text) {
  auto r = parse_csv(text, "t.csv");
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : CsvTable{};
}

std::string parse_err(std::string_view text, std::string_view source = "t.csv") {
  auto r = parse_csv(text, source);
  EXPECT_FALSE(r.has_value());
  return r ? std::string() : r.error().message;
}

TEST(ParseCsv, HeaderRowsAndLineNumbers) {
  const auto t = parse_ok("a,b,c\n1,2,3\n4,5,6\n");
  EXPECT_EQ(t.header, (Fields{"a", "b", "c"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].fields, (Fields{"1", "2", "3"}));
  EXPECT_EQ(t.rows[0].line, 2u);
  EXPECT_EQ(t.rows[1].fields, (Fields{"4", "5", "6"}));
  EXPECT_EQ(t.rows[1].line, 3u);
  EXPECT_EQ(t.column("b"), 1u);
  EXPECT_EQ(t.column("c"), 2u);
  EXPECT_FALSE(t.column("d").has_value());
}

TEST(ParseCsv, NoTrailingNewlineAndEmptyFields) {
  const auto t = parse_ok("a,b,c\n,x,\n1,,3");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].fields, (Fields{"", "x", ""}));
  EXPECT_EQ(t.rows[1].fields, (Fields{"1", "", "3"}));
}

TEST(ParseCsv, QuotedFieldsWithCommasQuotesAndNewlines) {
  const auto t = parse_ok("name,note,n\n\"a,b\",\"say \"\"hi\"\"\",1\n\"two\nlines\",\"\",2\nlast,\"x\r\ny\",3\n");
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].fields, (Fields{"a,b", "say \"hi\"", "1"}));
  EXPECT_EQ(t.rows[0].line, 2u);
  EXPECT_EQ(t.rows[1].fields, (Fields{"two\nlines", "", "2"}));
  EXPECT_EQ(t.rows[1].line, 3u);
  // The row after a field with an embedded newline starts one line later.
  EXPECT_EQ(t.rows[2].fields, (Fields{"last", "x\r\ny", "3"}));
  EXPECT_EQ(t.rows[2].line, 5u);
}

TEST(ParseCsv, QuoteInsideAnUnquotedFieldIsLiteral) {
  const auto t = parse_ok("a,b\n5\"x,y\n");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].fields, (Fields{"5\"x", "y"}));
}

TEST(ParseCsv, CrlfAndBareCrLineEnds) {
  const auto crlf = parse_ok("a,b\r\n1,2\r\n3,4\r\n");
  ASSERT_EQ(crlf.rows.size(), 2u);
  EXPECT_EQ(crlf.header, (Fields{"a", "b"}));
  EXPECT_EQ(crlf.rows[0].fields, (Fields{"1", "2"}));
  EXPECT_EQ(crlf.rows[1].fields, (Fields{"3", "4"}));
  EXPECT_EQ(crlf.rows[1].line, 3u);
  const auto cr = parse_ok("a,b\r1,2\r");
  ASSERT_EQ(cr.rows.size(), 1u);
  EXPECT_EQ(cr.rows[0].fields, (Fields{"1", "2"}));
}

TEST(ParseCsv, BlankLinesAreSkippedButCounted) {
  const auto t = parse_ok("\n\na,b\n\n1,2\r\n\r\n\n3,4\n\n");
  EXPECT_EQ(t.header, (Fields{"a", "b"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].line, 5u);
  EXPECT_EQ(t.rows[1].line, 8u);
  // A quoted empty field is a value, not a blank line.
  const auto q = parse_ok("a\n\"\"\n");
  ASSERT_EQ(q.rows.size(), 1u);
  EXPECT_EQ(q.rows[0].fields, (Fields{""}));
}

TEST(ParseCsv, HeaderNamesAreTrimmed) {
  const auto t = parse_ok(" a ,\tb\n1,2\n");
  EXPECT_EQ(t.header, (Fields{"a", "b"}));
  EXPECT_EQ(t.column("b"), 1u);
}

TEST(ParseCsv, HeaderOnlyHasNoRows) {
  const auto t = parse_ok("a,b\n");
  EXPECT_EQ(t.header.size(), 2u);
  EXPECT_TRUE(t.rows.empty());
}

TEST(ParseCsv, RaggedRowNamesSourceLineAndCounts) {
  const std::string few = parse_err("a,b,c\n1,2,3\n\n4,5\n", "prices.csv");
  EXPECT_NE(few.find("prices.csv:4:"), std::string::npos) << few;
  EXPECT_NE(few.find("expected 3"), std::string::npos) << few;
  EXPECT_NE(few.find("found 2"), std::string::npos) << few;
  const std::string many = parse_err("a,b\n1,2\n1,2,3\n");
  EXPECT_NE(many.find("t.csv:3:"), std::string::npos) << many;
  EXPECT_NE(many.find("found 3"), std::string::npos) << many;
  // The line reported is where the row starts, even when a quoted field spans lines.
  const std::string spanning = parse_err("a,b\n\"x\ny\"\n");
  EXPECT_NE(spanning.find("t.csv:2:"), std::string::npos) << spanning;
}

TEST(ParseCsv, UnterminatedQuoteNamesTheLineWhereTheFieldStarts) {
  const std::string e = parse_err("a,b\n1,2\n3,\"open\n4,5\n", "in.csv");
  EXPECT_NE(e.find("in.csv:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("unterminated"), std::string::npos) << e;
}

TEST(ParseCsv, EmptyInputIsAnError) {
  EXPECT_NE(parse_err("", "<stdin>").find("<stdin>: empty input"), std::string::npos);
  EXPECT_NE(parse_err("\n\r\n\n").find("empty input"), std::string::npos);
}

TEST(CsvField, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("x\ny"), "\"x\ny\"");
  EXPECT_EQ(csv_field("x\ry"), "\"x\ry\"");
}

TEST(CsvField, AppendedLinesRoundTripThroughParse) {
  const std::vector<Fields> rows = {{"h1", "h,2", "h\"3"},
                                    {"a,b", "\"quoted\"", "multi\nline"},
                                    {"", "crlf\r\ninside", "\"\""},
                                    {"plain", " spaced ", ","}};
  std::string text;
  for (const auto& r : rows) append_csv_line(text, r);
  EXPECT_EQ(text.substr(0, text.find('\n') + 1), "h1,\"h,2\",\"h\"\"3\"\n");
  const auto t = parse_ok(text);
  EXPECT_EQ(t.header, rows[0]);
  ASSERT_EQ(t.rows.size(), rows.size() - 1);
  for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(t.rows[i - 1].fields, rows[i]) << i;
}

TEST(ParseFiniteDouble, AcceptsNumbers) {
  EXPECT_EQ(parse_finite_double("1.5"), 1.5);
  EXPECT_EQ(parse_finite_double("-0.25"), -0.25);
  EXPECT_EQ(parse_finite_double("+3"), 3.0);
  EXPECT_EQ(parse_finite_double("  42\t"), 42.0);
  EXPECT_EQ(parse_finite_double("1e3"), 1000.0);
  EXPECT_EQ(parse_finite_double("87834.32571428572"), 87834.32571428572);
  EXPECT_EQ(parse_finite_double("0"), 0.0);
}

TEST(ParseFiniteDouble, RejectsNonFiniteAndJunk) {
  for (const char* s : {"nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e999", "-1e999", "12abc", "", "   ",
                        "+", "-", "1.2.3", "0x10", "1,5", "1 2", "abc", "+-1", "++1", "--1"})
    EXPECT_FALSE(parse_finite_double(s).has_value()) << "'" << s << "' parsed as " << *parse_finite_double(s);
}

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("greekbook-io-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  static void write(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }
  fs::path dir_;
};

using WriteTextAtomic = TempDir;

TEST_F(WriteTextAtomic, WritesAndReplacesAndReadsBack) {
  const fs::path p = dir_ / "out.csv";
  ASSERT_TRUE(write_text_atomic(p.string(), "a,b\n1,2\n").has_value());
  EXPECT_EQ(slurp(p), "a,b\n1,2\n");
  ASSERT_TRUE(write_text_atomic(p.string(), "new").has_value());
  EXPECT_EQ(slurp(p), "new");
  const auto back = read_text(p.string());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, "new");
  EXPECT_FALSE(fs::exists(p.string() + ".tmp-greekbook"));
}

TEST_F(WriteTextAtomic, UnwritableDirectoryLeavesExistingFileIntact) {
  const fs::path p = dir_ / "report.json";
  write(p, "original");
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec, fs::perm_options::replace);
  if (::access(dir_.c_str(), W_OK) == 0) {
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace);
    GTEST_SKIP() << "running with privileges that ignore directory permissions (root)";
  }
  const auto r = write_text_atomic(p.string(), "replacement");
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("cannot create"), std::string::npos) << r.error().message;
  EXPECT_EQ(slurp(p), "original");
}

TEST_F(WriteTextAtomic, TemporaryFileThatCannotBeCreatedLeavesExistingFileIntact) {
  // Works even as root: the temporary file's path is taken by a directory.
  const fs::path p = dir_ / "report.json";
  write(p, "original");
  fs::create_directory(p.string() + ".tmp-greekbook");
  const auto r = write_text_atomic(p.string(), "replacement");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find(".tmp-greekbook"), std::string::npos) << r.error().message;
  EXPECT_EQ(slurp(p), "original");
}

TEST_F(WriteTextAtomic, TargetThatIsADirectoryIsLeftAloneAndNoTempRemains) {
  const fs::path target = dir_ / "outdir";
  fs::create_directory(target);
  write(target / "keep.txt", "kept");
  const auto r = write_text_atomic(target.string(), "content");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find(target.string()), std::string::npos) << r.error().message;
  EXPECT_TRUE(fs::is_directory(target));
  EXPECT_EQ(slurp(target / "keep.txt"), "kept");
  EXPECT_FALSE(fs::exists(target.string() + ".tmp-greekbook"));
}

TEST_F(WriteTextAtomic, MissingDirectoryIsAnError) {
  const fs::path p = dir_ / "no" / "such" / "dir" / "out.txt";
  const auto r = write_text_atomic(p.string(), "x");
  ASSERT_FALSE(r.has_value());
  EXPECT_FALSE(fs::exists(p));
}

TEST_F(WriteTextAtomic, ReadTextOfAMissingFileNamesIt) {
  const fs::path p = dir_ / "absent.csv";
  const auto r = read_text(p.string());
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find(p.string() + ": cannot open"), std::string::npos) << r.error().message;
}

}  // namespace
