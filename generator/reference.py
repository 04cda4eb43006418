"""Fixed reference data: Indian geography, products, and the words names are made of."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Town:
    zone: str
    region: str
    state: str
    gst_state_code: str
    town: str
    latitude: float
    longitude: float


TOWNS: dict[str, Town] = {
    t.town: t
    for t in (
        Town("West", "Maharashtra", "Maharashtra", "27", "Pune", 18.5204, 73.8567),
        Town("West", "Maharashtra", "Maharashtra", "27", "Nashik", 19.9975, 73.7898),
        Town("West", "Maharashtra", "Maharashtra", "27", "Nagpur", 21.1458, 79.0882),
        Town("West", "Gujarat & MP", "Gujarat", "24", "Ahmedabad", 23.0225, 72.5714),
        Town("West", "Gujarat & MP", "Gujarat", "24", "Surat", 21.1702, 72.8311),
        Town("West", "Gujarat & MP", "Madhya Pradesh", "23", "Indore", 22.7196, 75.8577),
        Town("South", "Karnataka & Kerala", "Karnataka", "29", "Bengaluru", 12.9716, 77.5946),
        Town("South", "Karnataka & Kerala", "Karnataka", "29", "Mysuru", 12.2958, 76.6394),
        Town("South", "Karnataka & Kerala", "Kerala", "32", "Kochi", 9.9312, 76.2673),
        Town("South", "Tamil Nadu & Telangana", "Tamil Nadu", "33", "Chennai", 13.0827, 80.2707),
        Town("South", "Tamil Nadu & Telangana", "Tamil Nadu", "33", "Coimbatore", 11.0168, 76.9558),
        Town("South", "Tamil Nadu & Telangana", "Telangana", "36", "Hyderabad", 17.3850, 78.4867),
        Town("East", "Bengal & Odisha", "West Bengal", "19", "Kolkata", 22.5726, 88.3639),
        Town("East", "Bengal & Odisha", "West Bengal", "19", "Siliguri", 26.7271, 88.3953),
        Town("East", "Bengal & Odisha", "Odisha", "21", "Bhubaneswar", 20.2961, 85.8245),
        Town("East", "Bihar & Jharkhand", "Bihar", "10", "Patna", 25.5941, 85.1376),
        Town("North", "Uttar Pradesh", "Uttar Pradesh", "09", "Lucknow", 26.8467, 80.9462),
        Town("North", "Uttar Pradesh", "Uttar Pradesh", "09", "Kanpur", 26.4499, 80.3319),
        Town("North", "Uttar Pradesh", "Uttar Pradesh", "09", "Varanasi", 25.3176, 82.9739),
        Town("North", "Rajasthan & Punjab", "Rajasthan", "08", "Jaipur", 26.9124, 75.7873),
        Town("North", "Rajasthan & Punjab", "Punjab", "03", "Ludhiana", 30.9010, 75.8573),
        Town("North", "Delhi NCR", "Delhi", "07", "New Delhi", 28.6139, 77.2090),
        Town("North", "Delhi NCR", "Haryana", "06", "Gurugram", 28.4595, 77.0266),
    )
}

# The order distributors are created in: (town, parent slot or None). Slot 4 (Nashik) is a sub-distributor of
# slot 1 (Pune), the super stockist; the order spreads the first six over the four zones.
DISTRIBUTOR_SLOTS: tuple[tuple[str, int | None], ...] = (
    ("Pune", None),
    ("Ahmedabad", None),
    ("Bengaluru", None),
    ("Nashik", 1),
    ("Kolkata", None),
    ("Lucknow", None),
    ("Chennai", None),
    ("Jaipur", None),
    ("Hyderabad", None),
    ("Patna", None),
    ("Mysuru", 3),
    ("Kanpur", 6),
    ("New Delhi", None),
    ("Surat", 2),
    ("Coimbatore", 7),
    ("Siliguri", 5),
    ("Indore", None),
    ("Ludhiana", None),
    ("Nagpur", 1),
    ("Kochi", None),
    ("Bhubaneswar", None),
    ("Varanasi", 6),
    ("Gurugram", 13),
)

DISTRIBUTOR_NAMES = (
    "Shree Balaji Distributors",
    "Gupta Agencies",
    "Sai Enterprises",
    "Annapurna Traders",
    "Mahalaxmi Marketing",
    "Om Sai Agencies",
    "Vinayak Distributors",
    "Jain Trading Company",
    "Sri Venkateswara Agencies",
    "Maa Durga Enterprises",
    "Agarwal Sales Corporation",
    "Krishna Distributors",
    "Patel Brothers",
    "Royal Marketing",
    "New India Agencies",
    "Ganesh Trading Co.",
)

# (brand, category, product, [(pack, mrp rupees, units per case)])
PRODUCTS: tuple[tuple[str, str, str, tuple[tuple[str, float, int], ...]], ...] = (
    ("Crunchy", "Biscuits", "Glucose Biscuit", (("50 g", 5.0, 120), ("100 g", 10.0, 96), ("250 g", 25.0, 48))),
    ("Crunchy", "Biscuits", "Marie Biscuit", (("75 g", 10.0, 96), ("250 g", 30.0, 48))),
    ("Crunchy", "Biscuits", "Choco Cream Biscuit", (("60 g", 10.0, 96), ("120 g", 20.0, 48))),
    ("Crunchy", "Biscuits", "Butter Cookies", (("100 g", 20.0, 48), ("200 g", 40.0, 24))),
    ("Crunchy", "Biscuits", "Digestive Biscuit", (("150 g", 35.0, 48), ("400 g", 90.0, 24))),
    ("Crunchy", "Biscuits", "Cashew Cookies", (("80 g", 20.0, 48),)),
    ("Zing", "Snacks", "Masala Namkeen", (("40 g", 10.0, 120), ("200 g", 45.0, 48), ("400 g", 85.0, 24))),
    ("Zing", "Snacks", "Aloo Bhujia", (("35 g", 10.0, 120), ("150 g", 35.0, 48), ("1 kg", 210.0, 24))),
    ("Zing", "Snacks", "Salted Peanuts", (("50 g", 10.0, 96), ("200 g", 40.0, 48))),
    ("Zing", "Snacks", "Tomato Chips", (("24 g", 10.0, 120), ("52 g", 20.0, 96))),
    ("Zing", "Snacks", "Moong Dal", (("40 g", 10.0, 120), ("200 g", 48.0, 48))),
    ("Tazza", "Beverages", "Mango Drink", (("160 ml", 10.0, 48), ("600 ml", 40.0, 24), ("1.2 l", 70.0, 24))),
    ("Tazza", "Beverages", "Lemon Fizz", (("250 ml", 20.0, 24), ("750 ml", 40.0, 24))),
    ("Tazza", "Beverages", "Jeera Soda", (("250 ml", 15.0, 24), ("600 ml", 30.0, 24))),
    ("Tazza", "Beverages", "Cola", (("250 ml", 20.0, 24), ("750 ml", 40.0, 24), ("2 l", 95.0, 24))),
)

# item names no master and no alias knows: a new pack, another company's item, a typo-ridden line
UNKNOWN_ITEMS = (
    "Crunchy Glucose Biscuit 1 kg",
    "Zing Masala Namkeen 1.5 kg",
    "Tazza Mango Drink 2.25 l",
    "Sunrise Premium Tea 250 g",
    "GOLDEN CRACKERS 120GM",
    "Kesar Rusk 300 g",
    "CHOCO STIX NEW 45GM",
    "Tazza Orange Fizz 600 ml",
)

SURNAMES = (
    "Sharma",
    "Gupta",
    "Agarwal",
    "Jain",
    "Patel",
    "Shah",
    "Reddy",
    "Iyer",
    "Nair",
    "Das",
    "Ghosh",
    "Yadav",
    "Singh",
    "Verma",
    "Khan",
    "Mishra",
    "Pandey",
    "Joshi",
    "Kulkarni",
    "Patil",
    "Deshmukh",
    "Mehta",
    "Bansal",
    "Goyal",
    "Chauhan",
    "Rao",
    "Pillai",
    "Banerjee",
)
AUSPICIOUS = (
    "Laxmi",
    "Balaji",
    "Ganesh",
    "Sai",
    "Krishna",
    "Shiv",
    "Durga",
    "Hanuman",
    "Om",
    "Shree Ram",
    "Annapurna",
    "Vinayak",
    "Mahalaxmi",
    "Jai Mata Di",
    "Sri Venkateswara",
    "Maa Tara",
    "Gayatri",
    "Bajrang",
)
GT_SUFFIXES = (
    "Kirana Store",
    "General Stores",
    "Traders",
    "Provision Store",
    "Departmental Store",
    "Kirana & General Stores",
    "Enterprises",
    "Super Bazaar",
    "Bakery & Sweets",
    "Stores",
    "Provisions",
    "Mini Mart",
)
MT_NAMES = (
    "CityMart Supermarket",
    "FreshWay Hypermarket",
    "Daily Needs Mart",
    "Metro Value Mart",
    "Apna Bazaar Supermarket",
    "Family Fresh Mart",
)
ECOM_NAMES = ("SwiftCart Dark Store", "QuickBasket Fulfilment Centre", "DoorKart Hub")

LOCALITIES = (
    "Station Road",
    "Gandhi Nagar",
    "Sadar Bazaar",
    "MG Road",
    "Civil Lines",
    "Shivaji Nagar",
    "Nehru Colony",
    "Old City",
    "Ram Nagar",
    "Industrial Area",
    "Main Market",
    "Bus Stand",
    "Subhash Chowk",
    "Model Town",
    "Rajendra Nagar",
    "Indira Colony",
    "Azad Nagar",
    "Tilak Road",
    "Vijay Nagar",
    "Patel Chowk",
    "Kamla Nagar",
    "Shanti Nagar",
    "Lake View",
    "Camp Area",
)

FIRST_NAMES = (
    "Ramesh",
    "Suresh",
    "Mahesh",
    "Rajesh",
    "Anil",
    "Sunil",
    "Vijay",
    "Sanjay",
    "Deepak",
    "Manoj",
    "Amit",
    "Rahul",
    "Prakash",
    "Ganesh",
    "Santosh",
    "Arjun",
    "Karthik",
    "Imran",
    "Farhan",
    "Vikram",
    "Naveen",
    "Pooja",
    "Sunita",
    "Kavita",
)
