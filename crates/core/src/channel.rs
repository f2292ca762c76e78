use std::fmt;

use serde::{Deserialize, Serialize};

/// The channel a record came from. Channels differ in which fields they carry and how far
/// they can be trusted (marketplaces mask phones, tills capture honorific-only names).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", content = "label", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Channel {
    /// A store till.
    Pos,
    /// The retailer's own app.
    App,
    /// A mini-program inside a super-app.
    MiniProgram,
    /// A third-party marketplace; phones usually arrive masked.
    Marketplace,
    /// The call centre.
    CallCentre,
    /// The web shop.
    Web,
    /// Any other label, kept as given (lower-cased and trimmed).
    Other(String),
    /// No channel known.
    Unknown,
}

impl Channel {
    /// Reads a channel label in English or Chinese. Unknown labels are kept as [`Channel::Other`].
    ///
    /// ```
    /// use sameas_core::Channel;
    /// assert_eq!(Channel::from_label("门店"), Channel::Pos);
    /// assert_eq!(Channel::from_label(" Tmall "), Channel::Marketplace);
    /// assert_eq!(Channel::from_label(""), Channel::Unknown);
    /// ```
    pub fn from_label(label: &str) -> Channel {
        let label = label.trim();
        if label.is_empty() {
            return Channel::Unknown;
        }
        // Labels are short: fold ASCII ones on the stack, so the common case allocates nothing.
        let mut buf = [0u8; 24];
        let folded;
        let key: &str = if label.is_ascii() && label.len() <= buf.len() {
            for (slot, b) in buf.iter_mut().zip(label.bytes()) {
                *slot = match b {
                    b'-' | b' ' => b'_',
                    _ => b.to_ascii_lowercase(),
                };
            }
            std::str::from_utf8(&buf[..label.len()]).unwrap_or_default()
        } else {
            folded = label.to_lowercase().replace(['-', ' '], "_");
            &folded
        };
        match key {
            "pos" | "store" | "shop" | "till" | "门店" | "线下" | "收银" => Channel::Pos,
            "app" | "mobile_app" | "应用" => Channel::App,
            "mini_program" | "miniprogram" | "mini" | "wechat" | "小程序" | "微信" => {
                Channel::MiniProgram
            }
            "marketplace" | "tmall" | "taobao" | "jd" | "pdd" | "douyin" | "电商" | "天猫"
            | "京东" | "淘宝" | "拼多多" | "抖音" => Channel::Marketplace,
            "call_centre" | "call_center" | "callcentre" | "callcenter" | "phone" | "客服"
            | "呼叫中心" => Channel::CallCentre,
            "web" | "website" | "web_shop" | "webshop" | "online" | "官网" | "网站" => {
                Channel::Web
            }
            "unknown" => Channel::Unknown,
            _ => Channel::Other(label.to_lowercase()),
        }
    }

    /// The canonical label, as written in output files.
    pub fn label(&self) -> &str {
        match self {
            Channel::Pos => "pos",
            Channel::App => "app",
            Channel::MiniProgram => "mini_program",
            Channel::Marketplace => "marketplace",
            Channel::CallCentre => "call_centre",
            Channel::Web => "web",
            Channel::Other(label) => label,
            Channel::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        for channel in [
            Channel::Pos,
            Channel::App,
            Channel::MiniProgram,
            Channel::Marketplace,
            Channel::CallCentre,
            Channel::Web,
            Channel::Unknown,
        ] {
            assert_eq!(Channel::from_label(channel.label()), channel);
        }
        assert_eq!(Channel::from_label("Kiosk"), Channel::Other("kiosk".into()));
    }

    #[test]
    fn serde_is_tagged() {
        let json = serde_json::to_string(&Channel::Other("kiosk".into())).unwrap();
        assert_eq!(json, r#"{"type":"other","label":"kiosk"}"#);
        let back: Channel = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Channel::Other("kiosk".into()));
    }
}
