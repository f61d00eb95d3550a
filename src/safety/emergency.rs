//! The emergency screen (placeholder stub with the agreed API, being written; replace whole).

/// An emergency red flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RedFlag {
    /// Chest pain or breathlessness.
    ChestPainOrBreathless,
    /// Sudden cold, pale, numb leg.
    SuddenColdPaleNumbLeg,
    /// Saddle numbness.
    SaddleNumbness,
    /// Bladder or bowel change.
    BladderOrBowelChange,
    /// Both legs weak or numb.
    BothLegsWeakOrNumb,
    /// Fever with spreading redness.
    FeverWithSpreadingRedness,
    /// Severe pain with a tense calf.
    SevereTenseCalf,
}

impl RedFlag {
    /// Item id.
    pub fn item_id(self) -> &'static str {
        "rf_chest_pain_or_breathless"
    }
    /// Lay description.
    pub fn lay_description(self) -> &'static str {
        "chest pain"
    }
}

/// The screen.
#[derive(Debug, Default)]
pub struct EmergencyScreen;

impl EmergencyScreen {
    /// New.
    pub fn new() -> Self {
        EmergencyScreen
    }
    /// Screen.
    pub fn screen(&self, _message: &str) -> Vec<RedFlag> {
        Vec::new()
    }
}
