//! Id newtypes. Both generations of Campfire number everything with integers, so the ids wrap `u64`
//! (`opsbot_http::id_type!`: a private field, `new`, `get`, `Display`, `FromStr`, transparent serde).

opsbot_http::id_type! {
    /// A room id (`/rooms/7`, `/room/7.json`).
    pub struct RoomId(u64);
}
opsbot_http::id_type! {
    /// A message id.
    pub struct MessageId(u64);
}
opsbot_http::id_type! {
    /// A user id (people and bots).
    pub struct UserId(u64);
}
opsbot_http::id_type! {
    /// A boost id (current Campfire).
    pub struct BoostId(u64);
}
opsbot_http::id_type! {
    /// An upload id (classic Campfire).
    pub struct UploadId(u64);
}
opsbot_http::id_type! {
    /// An account id (classic Campfire).
    pub struct AccountId(u64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_display_parse_and_serde() {
        let id: RoomId = "42".parse().unwrap_or(RoomId::new(0));
        assert_eq!(id, RoomId::new(42));
        assert_eq!(id.to_string(), "42");
        assert!("4x".parse::<RoomId>().is_err());
        assert_eq!(
            serde_json::to_string(&MessageId::new(7)).ok().as_deref(),
            Some("7")
        );
        assert_eq!(
            serde_json::from_str::<UserId>("9").ok(),
            Some(UserId::new(9))
        );
        assert!(MessageId::new(3) < MessageId::new(10));
    }
}
