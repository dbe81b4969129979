#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Every output format stays valid for any input: arbitrary names, kinds, messages and file
//! names (controls, C1, separators, bidi controls, markup and quoting characters) give JSON
//! and SARIF that parse, JUnit that is well-formed XML, a PolicyReport that reads back as the
//! same strings, and text and GitHub annotations without raw control characters, one line
//! per record.

use std::collections::BTreeSet;

use proptest::prelude::*;
use rempart::document::{parse_stream, ObjectId, Position};
use rempart::engine::{ErrorEntry, Finding, RelatedLocation, Report, SourceSpan};
use rempart::format::{
    github, is_hidden, json, junit, policy_report, sarif, text, text_file, FormatWriter, GithubWriter, JsonWriter,
    JunitWriter, PolicyReportWriter,
};
use rempart::{Limits, Severity, Source};

/// Strings made of characters that break formats, and of any character.
fn hostile() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '\n', '\r', '\t', '\u{0}', '\u{1b}', '\u{7f}', '\u{80}', '\u{85}', '\u{9f}', '\u{a0}', '\u{2028}', '\u{2029}',
        '\u{202e}', '\u{feff}', '\u{fffe}', '\u{ffff}', '"', '\'', '\\', '<', '>', '&', ':', ',', '%', '#', '-', '?',
        '*', '!', '|', '{', '}', '[', ']', ' ', '/', '~', ';', '=', 'é', '漢', '😀',
    ]);
    prop::collection::vec(
        prop_oneof![3 => special, 1 => any::<char>(), 2 => prop::char::range('a', 'z')],
        0..20,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn severity() -> impl Strategy<Value = Severity> {
    prop::sample::select(Severity::ALL.to_vec())
}

prop_compose! {
    fn related()(file in hostile(), path in hostile(), message in hostile(), line in 0usize..5, column in 0usize..40, offset in 0usize..200) -> RelatedLocation {
        let at = Position { line, column, offset };
        let mut r = RelatedLocation::default();
        (r.file, r.document, r.path, r.span, r.message) = (file, 1, path, SourceSpan { start: at, end: at }, message);
        r
    }
}

prop_compose! {
    fn finding()(
        policy in hostile(), message in hostile(), file in hostile(), kind in hostile(), name in hostile(),
        namespace in proptest::option::of(hostile()), path in hostile(), fix in hostile(), severity in severity(),
        line in 0usize..5, column in 0usize..40, offset in 0usize..200, len in 0usize..30,
        related in prop::collection::vec(related(), 0..3),
    ) -> Finding {
        let mut f = Finding::default();
        (f.policy, f.title, f.severity, f.category, f.message, f.file) =
            (policy, "title".into(), severity, "category".into(), message, file);
        f.object = ObjectId { api_version: "v1".into(), kind, namespace, name: Some(name) };
        (f.path, f.fix, f.related) = (path, fix, related);
        f.span = SourceSpan {
            start: Position { line, column, offset },
            end: Position { line, column: column + len, offset: offset + len },
        };
        f
    }
}

prop_compose! {
    fn report()(findings in prop::collection::vec(finding(), 0..4), errors in prop::collection::vec((hostile(), hostile()), 0..3)) -> Report {
        let mut r = Report::new();
        r.summary.findings = findings.len();
        r.summary.errors = errors.len();
        r.findings = findings;
        r.errors = errors
            .into_iter()
            .map(|(file, message)| ErrorEntry::new(file, message))
            .collect();
        r.notes = r.errors.clone();
        r
    }
}

/// Checks that `text` is a well-formed XML 1.0 document (declaration, one root element,
/// balanced tags, quoted and unique attributes, known entities, allowed characters).
fn well_formed_xml(text: &str) -> Result<(), String> {
    fn allowed(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
    }
    fn entity(rest: &str) -> Result<usize, String> {
        let end = rest.find(';').ok_or("unterminated entity")?;
        let name = &rest[1..end];
        let ok = ["amp", "lt", "gt", "quot", "apos"].contains(&name)
            || name
                .strip_prefix("#x")
                .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
            || name
                .strip_prefix('#')
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        if ok {
            Ok(end + 1)
        } else {
            Err(format!("bad entity `&{name};`"))
        }
    }
    fn name_len(s: &str) -> usize {
        s.char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_alphabetic()
                    || c == '_'
                    || c == ':'
                    || i > 0 && (c.is_ascii_digit() || c == '-' || c == '.'))
            })
            .map_or(s.len(), |(i, _)| i)
    }
    if let Some(c) = text.chars().find(|c| !allowed(*c)) {
        return Err(format!("character {c:?} not allowed"));
    }
    let mut rest = text;
    if rest.starts_with("<?xml") {
        rest = &rest[rest.find("?>").ok_or("unterminated declaration")? + 2..];
    }
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("</") {
            let n = name_len(after);
            let name = &after[..n];
            if stack.pop() != Some(name) {
                return Err(format!("unbalanced `</{name}>`"));
            }
            rest = after[n..].trim_start().strip_prefix('>').ok_or("bad end tag")?;
        } else if let Some(after) = rest.strip_prefix('<') {
            let n = name_len(after);
            if n == 0 {
                return Err("bad tag name".into());
            }
            if stack.is_empty() {
                roots += 1;
            }
            let name = &after[..n];
            let mut attrs = BTreeSet::new();
            let mut r = &after[n..];
            loop {
                let t = r.trim_start();
                if let Some(t) = t.strip_prefix("/>") {
                    r = t;
                    break;
                }
                if let Some(t) = t.strip_prefix('>') {
                    stack.push(name);
                    r = t;
                    break;
                }
                if t.len() == r.len() {
                    return Err("no space before an attribute".into());
                }
                let a = name_len(t);
                if a == 0 || !attrs.insert(&t[..a]) {
                    return Err(format!("bad or repeated attribute in <{name}>"));
                }
                let t = t[a..].strip_prefix("=\"").ok_or("attribute without a quoted value")?;
                let end = t.find('"').ok_or("unterminated attribute")?;
                let value = &t[..end];
                if value.contains('<') {
                    return Err("`<` in an attribute".into());
                }
                let mut v = value;
                while let Some(i) = v.find('&') {
                    v = &v[i + entity(&v[i..])?..];
                }
                r = &t[end + 1..];
            }
            rest = r;
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let content = &rest[..end];
            if stack.is_empty() && !content.trim().is_empty() {
                return Err("text outside the root element".into());
            }
            if content.contains("]]>") {
                return Err("`]]>` in content".into());
            }
            let mut v = content;
            while let Some(i) = v.find('&') {
                v = &v[i + entity(&v[i..])?..];
            }
            rest = &rest[end..];
        }
    }
    if !stack.is_empty() || roots != 1 {
        return Err(format!("{} unclosed element(s), {roots} root(s)", stack.len()));
    }
    Ok(())
}

#[test]
fn the_xml_checker_rejects_what_it_should() {
    assert!(well_formed_xml("<?xml version=\"1.0\"?>\n<a x=\"1\"><b/>t &amp; &#x41;</a>\n").is_ok());
    for bad in [
        "<a>",
        "<a></b>",
        "<a x=1/>",
        "<a>&foo;</a>",
        "<a>\u{1b}</a>",
        "<a/><b/>",
        "<a x=\"<\"/>",
        "<a x=\"1\" x=\"2\"/>",
    ] {
        assert!(well_formed_xml(bad).is_err(), "{bad}");
    }
}

fn no_hidden(text: &str) -> Result<(), TestCaseError> {
    let bad = text.chars().find(|c| *c != '\n' && is_hidden(*c));
    prop_assert!(bad.is_none(), "raw {:?} in {}", bad, text);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn json_and_sarif_parse(r in report()) {
        let v: serde_json::Value = serde_json::from_str(&json(&r)).unwrap();
        for (i, f) in r.findings.iter().enumerate() {
            prop_assert_eq!(v["findings"][i]["message"].as_str(), Some(f.message.as_str()));
            prop_assert_eq!(v["findings"][i]["file"].as_str(), Some(f.file.as_str()));
            // Related places: written only when there are some, each with its message.
            let related = v["findings"][i].get("related").and_then(|r| r.as_array()).map(Vec::len);
            prop_assert_eq!(related, (!f.related.is_empty()).then_some(f.related.len()));
            for (j, r) in f.related.iter().enumerate() {
                prop_assert_eq!(v["findings"][i]["related"][j]["message"].as_str(), Some(r.message.as_str()));
            }
        }
        let s: serde_json::Value = serde_json::from_str(&sarif(&r, &[], "/work/repo")).unwrap();
        prop_assert_eq!(s["runs"][0]["results"].as_array().map(Vec::len), Some(r.findings.len()));
        for (res, f) in s["runs"][0]["results"].as_array().unwrap().iter().zip(&r.findings) {
            let i = res["ruleIndex"].as_u64().unwrap() as usize;
            prop_assert_eq!(&s["runs"][0]["tool"]["driver"]["rules"][i]["id"], &res["ruleId"]);
            let related = res.get("relatedLocations").and_then(|r| r.as_array()).map(Vec::len);
            prop_assert_eq!(related, (!f.related.is_empty()).then_some(f.related.len()));
        }
        // Streamed in pieces, the same bytes.
        let mut streamed = Vec::new();
        let mut w = rempart::format::SarifWriter::start(&mut streamed, &[], "/work/repo").unwrap();
        for f in &r.findings {
            let mut one = Report::new();
            one.findings.push(f.clone());
            w.file(&one, None).unwrap();
        }
        Box::new(w).finish(&r).unwrap();
        prop_assert_eq!(String::from_utf8(streamed).unwrap(), sarif(&r, &[], "/work/repo"));
    }

    #[test]
    fn every_writer_fed_file_by_file_writes_the_whole_report(r in report()) {
        // Each finding as its own file, then the totals: the bytes of the whole-report function.
        fn streamed(mut w: Box<dyn FormatWriter + '_>, r: &Report) {
            for f in &r.findings {
                let mut one = Report::new();
                one.findings.push(f.clone());
                w.file(&one, None).unwrap();
            }
            w.finish(r).unwrap();
        }
        let (mut a, mut b, mut c, mut d) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        streamed(Box::new(JsonWriter::start(&mut a).unwrap()), &r);
        streamed(Box::new(GithubWriter::new(&mut b)), &r);
        streamed(Box::new(JunitWriter::new(&mut c, &[])), &r);
        streamed(Box::new(PolicyReportWriter::new(&mut d)), &r);
        prop_assert_eq!(String::from_utf8(a).unwrap(), json(&r));
        prop_assert_eq!(String::from_utf8(b).unwrap(), github(&r));
        prop_assert_eq!(String::from_utf8(c).unwrap(), junit(&r, &[]));
        prop_assert_eq!(String::from_utf8(d).unwrap(), policy_report(&r));
    }

    #[test]
    fn junit_is_well_formed_xml(r in report()) {
        let x = junit(&r, &[]);
        prop_assert!(well_formed_xml(&x).is_ok(), "{:?}\n{}", well_formed_xml(&x), x);
    }

    #[test]
    fn policy_report_reads_back_as_the_same_strings(r in report()) {
        let yaml = policy_report(&r);
        // Only characters YAML allows in a stream (its `c-printable`, less NEL), and no line
        // separator or byte-order mark that YAML 1.1 readers (go-yaml v2) treat specially:
        // this crate's parser is more lenient than others.
        let printable = |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
            && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}');
        prop_assert!(yaml.chars().all(printable), "{:?}", yaml.chars().find(|c| !printable(*c)));
        let docs = parse_stream(&yaml, &Limits::default());
        let mut got = BTreeSet::new();
        for d in &docs {
            let node = d.result.as_ref().map_err(|e| TestCaseError::fail(format!("{e:?}\n{yaml}")))?;
            let v = node.to_json();
            for res in v["results"].as_array().cloned().unwrap_or_default() {
                let o = &res["resources"][0];
                got.insert((
                    res["policy"].as_str().unwrap().to_owned(),
                    res["message"].as_str().unwrap().to_owned(),
                    res["properties"]["file"].as_str().unwrap().to_owned(),
                    res["properties"]["path"].as_str().unwrap().to_owned(),
                    o["kind"].as_str().unwrap().to_owned(),
                    o["name"].as_str().unwrap().to_owned(),
                    o["namespace"].as_str().map(str::to_owned),
                ));
            }
        }
        let want: BTreeSet<_> = r.findings.iter().map(|f| (
            f.policy.clone(), f.message.clone(), f.file.clone(), f.path.clone(),
            f.object.kind.clone(), f.object.name.clone().unwrap(), f.object.namespace.clone(),
        )).collect();
        prop_assert_eq!(got, want, "{}", yaml);
    }

    #[test]
    fn github_has_one_line_per_record_and_no_raw_controls(r in report()) {
        let g = github(&r);
        no_hidden(&g)?;
        prop_assert_eq!(g.lines().count(), r.findings.len() + r.errors.len());
        prop_assert!(g.lines().all(|l| l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice ")));
    }

    #[test]
    fn text_has_one_line_per_record_and_no_raw_controls(r in report(), source in hostile()) {
        let t = text(&r, &[], false);
        no_hidden(&t)?;
        // A finding: its line, `= in`, one `= related` per related place, `= fix` when there
        // is a fix, a blank line; an error: its line and a blank line; then the summary.
        let expected: usize = r.findings.iter().map(|f| f.related.len() + if f.fix.lines().next().is_some() { 4 } else { 3 }).sum::<usize>()
            + 2 * r.errors.len() + 1;
        prop_assert_eq!(t.lines().count(), expected, "{}", t);
        // With a source, whatever the spans: frames, no panic, no raw controls.
        let mut own = r.clone();
        let src = Source::new("f", format!("apiVersion: v1\nkind: {source}\n{source}\n"));
        for f in &mut own.findings {
            f.file = "f".into();
        }
        no_hidden(&text_file(&own, Some(&src), false))?;
        no_hidden(&text_file(&own, Some(&src), true).replace('\u{1b}', ""))?;
    }
}

/// A finding with a related place in the same file: every format names it, the text gives it
/// its own code frame.
#[test]
fn related_places_appear_in_every_format() {
    let src = Source::new(
        "rbac.yaml",
        "kind: RoleBinding\nsubjects:\n- name: ci\n---\nkind: Role\nrules:\n- verbs: [get]\n",
    );
    let at = |line, column, offset, len| SourceSpan {
        start: Position { line, column, offset },
        end: Position {
            line,
            column: column + len,
            offset: offset + len,
        },
    };
    let mut r = Report::new();
    let mut related = RelatedLocation::default();
    (related.file, related.document, related.path) = ("rbac.yaml".into(), 1, "/rules/0".into());
    (related.span, related.message) = (at(7, 3, 67, 13), "the rule that grants it".into());
    let mut f = Finding::default();
    (f.policy, f.title, f.severity, f.category) =
        ("rbac/secrets-read".into(), "t".into(), Severity::High, "rbac".into());
    (f.message, f.file, f.path, f.fix) = (
        "`ci` can read Secrets".into(),
        "rbac.yaml".into(),
        "/subjects/0".into(),
        "narrow it".into(),
    );
    f.object = ObjectId {
        api_version: "v1".into(),
        kind: "RoleBinding".into(),
        namespace: None,
        name: Some("b".into()),
    };
    (f.span, f.related) = (at(3, 3, 30, 8), vec![related]);
    r.findings.push(f);
    r.summary.findings = 1;
    let t = text_file(&r, Some(&src), false);
    assert!(t.contains("= related: rbac.yaml:7:3: the rule that grants it"), "{t}");
    assert!(t.contains("- verbs: [get]"), "second frame: {t}");
    assert!(github(&r).contains("Related: rbac.yaml:7:3: the rule that grants it"));
    assert!(junit(&r, &[]).contains("related: rbac.yaml:7:3: the rule that grants it"));
    assert!(policy_report(&r).contains("rbac.yaml:7:3: the rule that grants it"));
    let s: serde_json::Value = serde_json::from_str(&sarif(&r, &[], "/work")).unwrap();
    let loc = &s["runs"][0]["results"][0]["relatedLocations"][0];
    assert_eq!(loc["physicalLocation"]["region"]["startLine"], 7);
    assert_eq!(loc["message"]["text"], "the rule that grants it");
    let j: serde_json::Value = serde_json::from_str(&json(&r)).unwrap();
    assert_eq!(j["findings"][0]["related"][0]["path"], "/rules/0");
}
