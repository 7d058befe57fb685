//! The pages' messages: one catalog per language (templates/web/i18n/),
//! chosen per request — from the person's language, else the browser's
//! `Accept-Language` — never a global setting.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::HeaderMap;

use crate::mail::Lang;

fn catalog(text: &str) -> HashMap<String, String> {
    let table: toml::Table = toml::from_str(text).unwrap_or_default();
    table
        .into_iter()
        .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string())))
        .collect()
}

static ZH: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| catalog(include_str!("../../../templates/web/i18n/zh-CN.toml")));
static EN: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| catalog(include_str!("../../../templates/web/i18n/en.toml")));

/// The messages of one language.
#[derive(Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    /// The message `key` (the key itself if a catalog lacks it: a test
    /// keeps both complete).
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        let map: &'static HashMap<String, String> = match self.lang {
            Lang::ZhCn => &ZH,
            Lang::En => &EN,
        };
        map.get(key).map_or(key, |s| s.as_str())
    }

    /// The message `key`, or `fallback` when no catalog has it (names
    /// made at run time, such as an event's kind).
    pub fn t_or<'a>(&self, key: &str, fallback: &'a str) -> &'a str {
        let map: &'static HashMap<String, String> = match self.lang {
            Lang::ZhCn => &ZH,
            Lang::En => &EN,
        };
        map.get(key).map_or(fallback, |s| s.as_str())
    }

    /// `lang` attribute of the page.
    pub fn html_lang(&self) -> &'static str {
        self.lang.as_str()
    }

    /// A person's language.
    pub fn of_person(pref: &str) -> Tr {
        Tr {
            lang: Lang::from_pref(pref),
        }
    }

    /// The browser's first language we have (zh-CN by default).
    pub fn of_headers(headers: &HeaderMap) -> Tr {
        let accept = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let lang = accept
            .split(',')
            .map(|l| {
                l.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .find_map(|l| {
                if l.starts_with("zh") {
                    Some(Lang::ZhCn)
                } else if l.starts_with("en") {
                    Some(Lang::En)
                } else {
                    None
                }
            })
            .unwrap_or(Lang::ZhCn);
        Tr { lang }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key in one catalog is in the other, and every key a template
    /// asks for (`tr.t("…")`) is in both.
    #[test]
    fn both_catalogs_hold_every_key() {
        let zh: std::collections::BTreeSet<&String> = ZH.keys().collect();
        let en: std::collections::BTreeSet<&String> = EN.keys().collect();
        assert!(!zh.is_empty());
        assert_eq!(
            zh.symmetric_difference(&en).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "keys in one catalog only"
        );
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/web");
        let mut asked = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "html") {
                let text = std::fs::read_to_string(&path).unwrap();
                for part in text.split("tr.t(\"").skip(1) {
                    let key = part.split('"').next().unwrap().to_string();
                    asked.push((path.file_name().unwrap().to_string_lossy().to_string(), key));
                }
            }
        }
        assert!(!asked.is_empty());
        let missing: Vec<_> = asked.iter().filter(|(_, k)| !ZH.contains_key(k)).collect();
        assert!(missing.is_empty(), "missing in the catalogs: {missing:?}");
    }

    #[test]
    fn the_browser_language_decides_before_login() {
        let mut h = HeaderMap::new();
        h.insert(
            "accept-language",
            "en-US,en;q=0.9,zh;q=0.5".parse().unwrap(),
        );
        assert_eq!(Tr::of_headers(&h).lang, Lang::En);
        h.insert("accept-language", "zh-CN,zh;q=0.9".parse().unwrap());
        assert_eq!(Tr::of_headers(&h).lang, Lang::ZhCn);
        assert_eq!(Tr::of_headers(&HeaderMap::new()).lang, Lang::ZhCn);
    }
}
